using System.Diagnostics.Metrics;
using System.Text.Json;
using McpCompat.Options;
using McpCompat.Resumption;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// The store of session records on its own: bounded records (size, count, the flood's own records first), a DELETE
/// recorded as a tombstone that every read and every later write respects, one shared read per id, every call bounded
/// by the store timeout, and nothing lost in silence.
/// </summary>
public sealed class SessionRecordStoreTests : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new();
    private readonly FakeDistributedCache _cache;
    private readonly ServiceProvider _services;

    public SessionRecordStoreTests()
    {
        _cache = new FakeDistributedCache(_time);
        var services = new ServiceCollection();
        services.AddFakeLogging(o => o.TimeProvider = _time);
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IDistributedCache>(_cache);
        services.AddMcpServer().AddMcpCompat(o =>
        {
            o.SessionResumeWindow = Window;
            o.MaxSessionRecords = 3;
        });
        _services = services.BuildServiceProvider();
    }

    private SessionRecordStore Store => _services.GetRequiredService<SessionResumption>().Records!;

    private FakeLogCollector Logs => _services.GetFakeLogCollector();

    public void Dispose() => _services.Dispose();

    private static SessionRecord Record(string capabilities = "{}")
    {
        using var document = JsonDocument.Parse($$$"""{"protocolVersion":"2025-06-18","capabilities":{{{capabilities}}},"clientInfo":{"name":"test","version":"1"}}""");
        return SessionRecord.FromInitialize(document.RootElement, "2025-06-18", owner: null)!;
    }

    private MetricCollector<long> Collect(string instrument) =>
        new(_services.GetRequiredService<IMeterFactory>(), McpCompatTelemetry.MeterName, instrument);

    [Fact]
    public async Task Save_OverMaxSessionRecords_DeletesTheOldest_AndCountsThem()
    {
        using var dropped = Collect("mcpcompat.session.records.dropped");
        using var records = Collect("mcpcompat.session.records");
        foreach (var id in new[] { "s1", "s2", "s3", "s4", "s5" })
        {
            Assert.Equal(RecordWrite.Saved, await Store.SaveAsync(id, Record(), again: false));
        }

        Assert.Equal(["s3", "s4", "s5"], _cache.Keys.Where(k => k.StartsWith(SessionRecordStore.KeyPrefix, StringComparison.Ordinal)).Select(k => k[SessionRecordStore.KeyPrefix.Length..]).Order());
        records.RecordObservableInstruments();
        Assert.Equal(3, records.LastMeasurement?.Value);
        Assert.Equal(2, dropped.GetMeasurementSnapshot().Where(m => Equals(m.Tags["mcpcompat.session.record.drop_reason"], "max_records")).Sum(m => m.Value));
        Assert.Single(Logs.GetSnapshot(), r => r.Id.Name == "SessionStoreProblem" && r.Message.Contains("McpCompat:MaxSessionRecords = 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Save_AFloodOfAbandonedHandshakes_DisplacesItsOwnRecords_NotThoseOfSessionsInUse()
    {
        await Store.SaveAsync("used-1", Record(), again: false);
        await Store.SaveAsync("used-2", Record(), again: false);
        foreach (var id in new[] { "used-1", "used-2" })
        {
            Store.Use(id);
            Store.Use(id);
        }

        for (var i = 0; i < 50; i++)
        {
            await Store.SaveAsync($"flood-{i}", Record(), again: false);
        }

        Assert.NotNull(_cache.Peek(SessionRecordStore.KeyOf("used-1")));
        Assert.NotNull(_cache.Peek(SessionRecordStore.KeyOf("used-2")));
        Assert.NotNull(_cache.Peek(SessionRecordStore.KeyOf("flood-49")));
        Assert.Equal(3, Store.Index.Count);
        Assert.Equal(3, _cache.Keys.Count(k => k.StartsWith(SessionRecordStore.KeyPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SaveAgain_OfARecordTheLimitDropped_NotWrittenAgain_NothingElsePushedOut()
    {
        using var dropped = Collect("mcpcompat.session.records.dropped");
        foreach (var id in new[] { "s1", "s2", "s3", "s4" })
        {
            await Store.SaveAsync(id, Record(), again: false);
        }

        // s1's session is still live somewhere; its eviction writes its record again.
        Assert.Equal(RecordWrite.Dropped, await Store.SaveAsync("s1", Record(), again: true));

        Assert.Null(_cache.Peek(SessionRecordStore.KeyOf("s1")));
        Assert.NotNull(_cache.Peek(SessionRecordStore.KeyOf("s2")));
        Assert.Equal(3, Store.Index.Count);
        Assert.Equal(1, dropped.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Index_ForgetsRecordsPastTheWindow_AsTheStoreExpiresThem()
    {
        await Store.SaveAsync("old-1", Record(), again: false);
        await Store.SaveAsync("old-2", Record(), again: false);
        _time.Advance(Window);
        await Store.SaveAsync("new", Record(), again: false);

        Assert.Equal(1, Store.Index.Count);
        Assert.False(Store.Index.Knows("old-1"));
    }

    [Fact]
    public async Task Save_OverMaxSessionRecordBytes_NotWritten_CountedAndLogged()
    {
        using var dropped = Collect("mcpcompat.session.records.dropped");
        var big = Record($$$"""{"experimental":{"blob":"{{{new string('x', 5_000)}}}"}}""");

        Assert.Equal(RecordWrite.TooLarge, await Store.SaveAsync("big", big, again: false));

        Assert.Null(_cache.Peek(SessionRecordStore.KeyOf("big")));
        Assert.Equal(1, dropped.GetMeasurementSnapshot().Where(m => Equals(m.Tags["mcpcompat.session.record.drop_reason"], "too_large")).Sum(m => m.Value));
        Assert.Contains(Logs.GetSnapshot(), r => r.Id.Name == "SessionStoreProblem" && r.Message.Contains("McpCompat:MaxSessionRecordBytes = 4096", StringComparison.Ordinal));
    }

    [Fact]
    public async Task End_WritesATombstone_ThenEveryReadAndLaterWriteRespectsIt()
    {
        await Store.SaveAsync("s", Record(), again: false);

        Assert.True(await Store.EndAsync("s"));

        Assert.Null(_cache.Peek(SessionRecordStore.KeyOf("s")));
        Assert.NotNull(_cache.Peek(SessionRecordStore.TombstoneKeyOf("s")));
        Assert.Equal(RecordState.Ended, (await Store.FindAsync("s", CancellationToken.None)).State);
        Assert.Equal(RecordWrite.Ended, await Store.SaveAsync("s", Record(), again: true));
        Assert.Null(_cache.Peek(SessionRecordStore.KeyOf("s")));
    }

    [Fact]
    public async Task SaveAgain_AfterATombstoneFromAnotherInstance_UndoesTheWrite()
    {
        await Store.SaveAsync("s", Record(), again: false);
        _cache.Set(SessionRecordStore.TombstoneKeyOf("s"), "{}"u8.ToArray(), new DistributedCacheEntryOptions { SlidingExpiration = Window });

        Assert.Equal(RecordWrite.Ended, await Store.SaveAsync("s", Record(), again: true));

        Assert.Null(_cache.Peek(SessionRecordStore.KeyOf("s")));
        Assert.True(Store.Ended.Contains("s"));
    }

    [Fact]
    public async Task Find_ConcurrentReadsOfOneId_ShareOneReadAndOneTimeout()
    {
        await Store.SaveAsync("s", Record(), again: false);
        var readsBefore = _cache.RecordReads;
        _cache.Stall();

        var finds = Enumerable.Range(0, 8).Select(_ => Store.FindAsync("s", CancellationToken.None)).ToArray();
        await _cache.StalledCall.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(McpCompatDefaults.SessionStoreTimeout);
        var results = await Task.WhenAll(finds).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal(RecordState.Unavailable, r.State));
        Assert.Equal(1, _cache.RecordReads - readsBefore);
        DeleteRace.StoreBack(_cache, _time);
        Assert.Equal(RecordState.Found, (await Store.FindAsync("s", CancellationToken.None)).State);
    }

    [Fact]
    public async Task AfterAFailure_TheStoreIsLeftAloneForOneTimeout_ThenTriedAgain()
    {
        await Store.SaveAsync("s", Record(), again: false);
        _cache.Failing = true;
        Assert.Equal(RecordState.Unavailable, (await Store.FindAsync("s", CancellationToken.None)).State);
        _cache.Failing = false;
        var reads = _cache.RecordReads;

        Assert.Equal(RecordState.Unavailable, (await Store.FindAsync("s", CancellationToken.None)).State);
        Assert.False(await Store.EndAsync("s"));
        Assert.Equal(reads, _cache.RecordReads);

        _time.Advance(McpCompatDefaults.SessionStoreTimeout);
        Assert.Equal(RecordState.Found, (await Store.FindAsync("s", CancellationToken.None)).State);
    }

    [Fact]
    public async Task End_WhileTheStoreStalls_FalseOnceTheTimeoutPasses_NothingChanged()
    {
        using var failures = Collect("mcpcompat.session_store.failures");
        await Store.SaveAsync("s", Record(), again: false);
        _cache.Stall();

        var ending = Store.EndAsync("s");
        await _cache.StalledCall.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(McpCompatDefaults.SessionStoreTimeout);

        Assert.False(await ending.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(Store.Ended.Contains("s"));
        Assert.Equal("timeout", failures.LastMeasurement?.Tags["error.type"]);
        Assert.Equal("delete", failures.LastMeasurement?.Tags["mcpcompat.session_store.operation"]);
        Assert.NotNull(Store.Monitor.Problem);
        DeleteRace.StoreBack(_cache, _time);
    }

    [Fact]
    public async Task Find_ARecordThisInstanceWroteIsGone_CountedAsLost_HealthSeesIt()
    {
        using var dropped = Collect("mcpcompat.session.records.dropped");
        await Store.SaveAsync("s", Record(), again: false);
        _cache.Remove(SessionRecordStore.KeyOf("s"));

        Assert.Equal(RecordState.Missing, (await Store.FindAsync("s", CancellationToken.None)).State);

        Assert.Equal(1, dropped.GetMeasurementSnapshot().Where(m => Equals(m.Tags["mcpcompat.session.record.drop_reason"], "lost")).Sum(m => m.Value));
        Assert.Contains("missing from the distributed cache", Store.Monitor.Problem, StringComparison.Ordinal);
        _time.Advance(SessionStoreMonitor.SummaryInterval);
        Assert.Null(Store.Monitor.Problem);
    }

    [Fact]
    public async Task Monitor_ManyProblems_OneWarningThenOneSummaryWithTheCount()
    {
        _cache.Failing = true;
        for (var i = 0; i < 10; i++)
        {
            await Store.FindAsync($"s{i}", CancellationToken.None);
        }

        Assert.Single(Logs.GetSnapshot(), r => r.Id.Name == "SessionStoreProblem");
        _time.Advance(SessionStoreMonitor.SummaryInterval);

        // The first failure leaves the store alone for a store timeout: the nine reads after it are not tried.
        var summary = Assert.Single(Logs.GetSnapshot(), r => r.Id.Name == "SessionStoreProblems");
        Assert.Contains("9 more problems", summary.Message, StringComparison.Ordinal);
        Assert.Contains("record read not tried: 9", summary.Message, StringComparison.Ordinal);
        Assert.Equal(1, _cache.RecordReads);
    }

    [Fact]
    public void SessionIdSet_BoundedByCapacity_OldestForgottenFirst_AndByTheWindow()
    {
        var ended = new SessionIdSet(_time, Window, capacity: 2);
        ended.Add("a");
        ended.Add("b");
        ended.Add("c");

        Assert.False(ended.Contains("a"));
        Assert.True(ended.Contains("b"));
        Assert.Equal(2, ended.Count);
        _time.Advance(Window);
        Assert.False(ended.Contains("c"));
    }
}
