namespace McpCompat.Tests.Support;

/// <summary>One SSE event as sent: its id, retry and data lines.</summary>
internal sealed record SseEvent(string? Id, string? Retry, string Data)
{
    public static List<SseEvent> Parse(string body)
    {
        var events = new List<SseEvent>();
        foreach (var block in body.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? id = null, retry = null;
            var data = new List<string>();
            var any = false;
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith(':'))
                {
                    continue;
                }

                any = true;
                var (field, value) = Split(line);
                switch (field)
                {
                    case "id": id = value; break;
                    case "retry": retry = value; break;
                    case "data": data.Add(value); break;
                }
            }

            if (any)
            {
                events.Add(new SseEvent(id, retry, string.Join('\n', data)));
            }
        }

        return events;
    }

    private static (string Field, string Value) Split(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return (line, string.Empty);
        }

        var value = line[(colon + 1)..];
        return (line[..colon], value.StartsWith(' ') ? value[1..] : value);
    }
}

/// <summary>Reads SSE events off an open stream, one at a time, skipping comments.</summary>
internal sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    public void Dispose() => _reader.Dispose();

    /// <summary>Completes when the server ends the stream cleanly, having sent nothing more but comments.</summary>
    public async Task EndAsync()
    {
        while (await _reader.ReadLineAsync() is { } line)
        {
            Assert.True(line.Length == 0 || line.StartsWith(':'), $"unexpected line before the end: {line}");
        }
    }

    public async Task<SseEvent> NextAsync()
    {
        var block = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync() ?? throw new EndOfStreamException("the stream ended");
            if (line.Length == 0)
            {
                if (block.Count > 0)
                {
                    return SseEvent.Parse(string.Join('\n', block) + "\n\n")[0];
                }

                continue;
            }

            if (!line.StartsWith(':'))
            {
                block.Add(line);
            }
        }
    }
}
