using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace McpCompat.Tests.Support;

/// <summary>Log records as signals: for work a test set off on a loop it does not own, which logs when it acts.</summary>
internal static class FakeLogs
{
    /// <summary>
    /// Returns the first record, already collected or yet to come, that <paramref name="match"/> accepts. Not a timing
    /// assertion: the real-time bound only keeps a broken build from hanging.
    /// </summary>
    public static async Task<FakeLogRecord> WaitForAsync(this FakeLogCollector logs, Func<FakeLogRecord, bool> match)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await foreach (var record in logs.GetLogsAsync(bound.Token))
            {
                if (match(record))
                {
                    return record;
                }
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
        }

        Assert.Fail("No matching log record was written.");
        return null!;
    }

    /// <summary>
    /// Fails the test when anything was logged at Error or above (where Kestrel logs an application's unhandled
    /// exception) or mentions an unhandled exception, naming each record with its exception.
    /// </summary>
    public static void AssertNothingUnhandled(this FakeLogCollector logs)
    {
        var bad = logs.GetSnapshot()
            .Where(r => r.Level >= LogLevel.Error || r.Message.Contains("unhandled", StringComparison.OrdinalIgnoreCase))
            .Select(r => $"{r.Category} [{r.Level}] {r.Message} {r.Exception}")
            .ToList();
        Assert.True(bad.Count == 0, string.Join(Environment.NewLine, bad));
    }
}
