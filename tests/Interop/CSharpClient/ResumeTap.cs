using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CSharpClient;

/// <summary>
/// Sits under the SDK's <see cref="HttpClient"/> in the resume mode: signals when a GET stream without
/// <c>Last-Event-ID</c> has opened, counts the GETs that carry one, and reads every event stream's bytes on their way to
/// the SDK, recording the numbers of one run's log messages in the order they complete on the wire. An event cut off in
/// the middle is not recorded; a stream's partial line dies with it.
/// </summary>
public sealed class ResumeTap : DelegatingHandler
{
    private readonly string _run;
    private readonly Lock _lock = new();
    private readonly List<long> _wireSeqs = [];
    private readonly TaskCompletionSource _getOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _resumes;

    public ResumeTap(string run)
        : base(new SocketsHttpHandler())
    {
        _run = run;
    }

    /// <summary>Gets a task that completes when the session's GET stream (no <c>Last-Event-ID</c>) has opened.</summary>
    public Task GetOpened => _getOpened.Task;

    /// <summary>Gets the number of GETs sent with <c>Last-Event-ID</c>.</summary>
    public int Resumes => Volatile.Read(ref _resumes);

    /// <summary>Gets the numbers of the run's log messages, in the order of the wire, over every stream.</summary>
    public IReadOnlyList<long> WireSeqs
    {
        get
        {
            lock (_lock)
            {
                return [.. _wireSeqs];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var resuming = request.Headers.Contains("Last-Event-ID");
        if (request.Method == HttpMethod.Get && resuming)
        {
            Interlocked.Increment(ref _resumes);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return response;
        }

        var inner = await response.Content.ReadAsStreamAsync(cancellationToken);
        var content = new StreamContent(new ReadTapStream(inner, new EventReader(this).Add));
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        if (request.Method == HttpMethod.Get && !resuming)
        {
            _getOpened.TrySetResult();
        }

        return response;
    }

    private void OnEvent(string data)
    {
        try
        {
            if (JsonNode.Parse(data)?["params"]?["data"] is JsonObject message &&
                message["run"]?.GetValue<string>() == _run &&
                message["seq"] is JsonValue seq)
            {
                lock (_lock)
                {
                    _wireSeqs.Add(seq.GetValue<long>());
                }
            }
        }
        catch (JsonException)
        {
            // Not a log message of ours.
        }
    }

    /// <summary>One stream's lines: an event ends with a blank line, its data is its data lines joined.</summary>
    private sealed class EventReader(ResumeTap tap)
    {
        private readonly List<byte> _line = [];
        private readonly StringBuilder _data = new();

        public void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                if (b != (byte)'\n')
                {
                    _line.Add(b);
                    continue;
                }

                var length = _line.Count > 0 && _line[^1] == (byte)'\r' ? _line.Count - 1 : _line.Count;
                var line = Encoding.UTF8.GetString([.. _line.GetRange(0, length)]);
                _line.Clear();
                if (line.Length == 0)
                {
                    if (_data.Length > 0)
                    {
                        tap.OnEvent(_data.ToString());
                    }

                    _data.Clear();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    _data.Append(line.AsSpan(line.StartsWith("data: ", StringComparison.Ordinal) ? 6 : 5));
                }
            }
        }
    }
}
