using System.Text;
using System.Text.Json.Nodes;

namespace CSharpClient;

/// <summary>
/// Reads a GET stream's bytes as they arrive, apart from the SDK: counts events and keep-alive comments, notes comments
/// found inside an event, and records the numbers of the log messages in the order they came on the wire.
/// </summary>
public sealed class SseTally
{
    private readonly Lock _lock = new();
    private readonly List<byte> _line = [];
    private readonly StringBuilder _data = new();
    private readonly List<long> _wireSeqs = [];
    private int _fields;
    private int _keepAlivesSinceEvent;

    public long Bytes { get; private set; }

    public int Events { get; private set; }

    public int KeepAlives { get; private set; }

    /// <summary>Gets the keep-alives with an event before and after them.</summary>
    public int KeepAlivesBetweenEvents { get; private set; }

    public int OtherComments { get; private set; }

    public int CommentsInsideEvents { get; private set; }

    /// <summary>Gets the events whose data is not one JSON object.</summary>
    public int UnreadableEvents { get; private set; }

    /// <summary>Gets the numbers of the log messages, in the order of the wire.</summary>
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

    public void Add(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            Bytes += bytes.Length;
            foreach (var b in bytes)
            {
                if (b == (byte)'\n')
                {
                    var count = _line.Count > 0 && _line[^1] == (byte)'\r' ? _line.Count - 1 : _line.Count;
                    OnLine(Encoding.UTF8.GetString([.. _line.GetRange(0, count)]));
                    _line.Clear();
                }
                else
                {
                    _line.Add(b);
                }
            }
        }
    }

    private void OnLine(string line)
    {
        if (line.Length == 0)
        {
            if (_fields > 0)
            {
                OnEvent(_data.ToString());
            }

            _fields = 0;
            _data.Clear();
        }
        else if (line[0] == ':')
        {
            if (_fields > 0)
            {
                CommentsInsideEvents++;
            }

            if (line == ": keep-alive")
            {
                KeepAlives++;
                _keepAlivesSinceEvent++;
            }
            else
            {
                OtherComments++;
            }
        }
        else
        {
            _fields++;
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var value = line.AsSpan(5);
                _data.Append(value.StartsWith(" ") ? value[1..] : value);
            }
        }
    }

    private void OnEvent(string data)
    {
        Events++;
        if (Events > 1)
        {
            KeepAlivesBetweenEvents += _keepAlivesSinceEvent;
        }

        _keepAlivesSinceEvent = 0;
        try
        {
            if (JsonNode.Parse(data) is JsonObject message)
            {
                if (message["params"]?["data"]?["seq"] is JsonValue seq)
                {
                    _wireSeqs.Add(seq.GetValue<long>());
                }

                return;
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            // Counted below.
        }

        UnreadableEvents++;
    }
}
