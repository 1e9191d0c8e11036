using System.Text.Json;
using System.Text;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Tests.Support;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// The owner as session records and fleet notices carry it, byte for byte: what an earlier build wrote is still read,
/// and what this build writes is what an earlier build reads.
/// </summary>
[Trait(SdkIndependent.Trait, SdkIndependent.Value)]
public sealed class OwnerFormatTests
{
    private static readonly UserKey Alice = new("sub", "alice", "LOCAL AUTHORITY");

    private const string RecordWithOwner =
        """{"v":1,"init":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}},"owner":["sub","alice","LOCAL AUTHORITY"],"level":"info"}""";

    private const string NoticeWithOwner = """{"ended":"s1","owner":["sub","alice","LOCAL AUTHORITY"]}""";

    [Fact]
    public void SessionRecord_WithOwner_WrittenAndReadInTheStoredFormat()
    {
        using var init = JsonDocument.Parse("""{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}""");
        var record = SessionRecord.FromInitialize(init.RootElement, "2025-06-18", Alice)!.WithLoggingLevel("info");

        Assert.Equal(RecordWithOwner, Encoding.UTF8.GetString(record.ToBytes()));
        var read = SessionRecord.TryParse(Encoding.UTF8.GetBytes(RecordWithOwner), out var problem);
        Assert.Null(problem);
        Assert.Equal(Alice, read!.Owner);
        Assert.Null(SessionRecord.TryParse("""{"v":1,"init":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{}}}"""u8, out _)!.Owner);
    }

    [Theory]
    [InlineData("""["sub","alice"]""")]
    [InlineData("""["sub","alice",1]""")]
    [InlineData("""{"type":"sub"}""")]
    public void SessionRecord_OwnerNotThreeStrings_RefusedWithTheReason(string owner)
    {
        var bytes = Encoding.UTF8.GetBytes($$$"""{"v":1,"init":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{}},"owner":{{{owner}}}}""");

        Assert.Null(SessionRecord.TryParse(bytes, out var problem));
        Assert.Equal("\"owner\" is not three strings", problem);
    }

    [Fact]
    public void SessionEndNotice_WithOwner_WrittenAndReadInTheSentFormat()
    {
        Assert.Equal(NoticeWithOwner, Encoding.UTF8.GetString(new SessionEndNotice("s1", Alice).ToBytes()));
        Assert.Equal("""{"ended":"s1"}""", Encoding.UTF8.GetString(new SessionEndNotice("s1", Owner: null).ToBytes()));
        Assert.Equal(new SessionEndNotice("s1", Alice), SessionEndNotice.TryParse(Encoding.UTF8.GetBytes(NoticeWithOwner)));
        Assert.Null(SessionEndNotice.TryParse("""{"ended":"s1","owner":["sub"]}"""u8));
    }

    [Fact]
    public void SessionRecord_WithUpstream_WrittenAndRead_AnEarlierRecordHasNone()
    {
        var record = SessionRecord.TryParse(Encoding.UTF8.GetBytes(RecordWithOwner), out _)!
            .WithUpstream(new UpstreamSession("http://127.0.0.1:3000/mcp", "abc"));

        var text = Encoding.UTF8.GetString(record.ToBytes());

        Assert.Equal(RecordWithOwner[..^1] + ""","upstream":{"url":"http://127.0.0.1:3000/mcp","id":"abc"}}""", text);
        var read = SessionRecord.TryParse(Encoding.UTF8.GetBytes(text), out var problem);
        Assert.Null(problem);
        Assert.Equal(new UpstreamSession("http://127.0.0.1:3000/mcp", "abc"), read!.Upstream);
        // A new logging level keeps where the session lives; a record without an upstream keeps its level.
        var leveled = read.WithLoggingLevel("debug");
        Assert.Equal(read.Upstream, leveled.Upstream);
        Assert.Null(leveled.WithUpstream(null).Upstream);
        Assert.Equal("debug", leveled.WithUpstream(null).LoggingLevel);
        Assert.Null(SessionRecord.TryParse(Encoding.UTF8.GetBytes(RecordWithOwner), out _)!.Upstream);
    }

    [Theory]
    [InlineData("""{"url":"http://127.0.0.1:3000/mcp"}""")]
    [InlineData("""{"url":1,"id":"abc"}""")]
    [InlineData("""{"url":"","id":"abc"}""")]
    [InlineData("\"http://127.0.0.1:3000/mcp\"")]
    public void SessionRecord_UpstreamMalformed_RefusedWithTheReason(string upstream)
    {
        var bytes = Encoding.UTF8.GetBytes($$$"""{"v":1,"init":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{}},"upstream":{{{upstream}}}}""");

        Assert.Null(SessionRecord.TryParse(bytes, out var problem));
        Assert.Equal("\"upstream\" is not an object with \"url\" and \"id\"", problem);
    }
}
