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
    public static void AssertNothingUnhandled(this FakeLogCollector logs, bool allowCancelledTools = false)
    {
        var bad = logs.GetSnapshot()
            .Where(r => r.Level >= LogLevel.Error || r.Message.Contains("unhandled", StringComparison.OrdinalIgnoreCase))
            .Where(r => !(allowCancelledTools && IsCancelledTool(r)))
            .Select(r => $"{r.Category} [{r.Level}] {r.Message} {r.Exception}")
            .ToList();
        Assert.True(bad.Count == 0, string.Join(Environment.NewLine, bad));
    }

    /// <summary>
    /// The SDK's own record of a tool whose call was cancelled because its session ended: the 1.x SDKs log it at Error
    /// as "threw an unhandled exception"; it is the SDK's account of the cancellation, not an exception escaping.
    /// </summary>
    private static bool IsCancelledTool(FakeLogRecord record) =>
        record.Category == "ModelContextProtocol.Server.McpServer" && record.Exception is OperationCanceledException;
}
