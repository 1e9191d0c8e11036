using System.Text.Json;
using McpCompat.Http;
using McpCompat.Resumption;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// The records hosted sessions resume from, where sessions resume (<see cref="McpCompatOptions.SessionResumeWindow"/>):
/// written at the handshake, before the client learns the session's id; kept up to date with the logging level the
/// client sets; written again while the session is in use for longer than half its window. Does nothing where sessions
/// do not resume.
/// </summary>
internal sealed class HostedSessionRecords(SessionResumption resumption, HostedSessionStore store, TimeProvider timeProvider)
{
    private static readonly string[] LoggingLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

    /// <summary>Gets whether sessions resume: their records are kept.</summary>
    public bool Enabled => resumption.Records is not null;

    /// <summary>
    /// Writes the record the session resumes from once evicted, before the client learns its id: a client that comes back
    /// on another instance of a fleet finds it there.
    /// </summary>
    public async Task RecordAsync(HostedSession session, PostedMessage message, string negotiated)
    {
        if (resumption.Records is not { } records)
        {
            return;
        }

        using var document = JsonDocument.Parse(message.Body);
        if (!document.RootElement.TryGetProperty("params", out var parameters) ||
            SessionRecord.FromInitialize(parameters, negotiated, session.User) is not { } record)
        {
            return;
        }

        // Bounded by McpCompat:SessionStoreTimeout: a slow store delays the handshake no longer (counted and logged). A
        // write that timed out may still land, so the session keeps its record (a DELETE then records a tombstone); one
        // too large is never written.
        if (await records.SaveAsync(session.Id, record, again: false).ConfigureAwait(false) is RecordWrite.Saved or RecordWrite.Unavailable)
        {
            session.Record = record;
            session.RecordTouched = timeProvider.GetTimestamp();
        }
    }

    /// <summary>Keeps in the session's record the logging level a <c>logging/setLevel</c> request set.</summary>
    public async Task RecordLoggingLevelAsync(HostedSession session, PostedMessage message)
    {
        if (resumption.Records is not { } records)
        {
            return;
        }

        using var document = JsonDocument.Parse(message.Body);
        if (session.Record is not { } record ||
            !document.RootElement.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object ||
            !parameters.TryGetProperty("level", out var level) || level.ValueKind != JsonValueKind.String ||
            level.GetString() is not { } name || !LoggingLevels.Contains(name, StringComparer.Ordinal) || name == record.LoggingLevel)
        {
            return;
        }

        session.Record = record = record.WithLoggingLevel(name);
        session.RecordTouched = timeProvider.GetTimestamp();
        await records.SaveAsync(session.Id, record, again: true).ConfigureAwait(false);
    }

    /// <summary>
    /// A request entered the session: its record is in use; a session in use for longer than half its window keeps its
    /// record, written again in the background.
    /// </summary>
    public void Use(HostedSession session)
    {
        if (resumption.Records is not { } records || session.Record is not { } record)
        {
            return;
        }

        records.Use(session.Id);
        if (timeProvider.GetElapsedTime(session.RecordTouched) > records.Window / 2)
        {
            session.RecordTouched = timeProvider.GetTimestamp();
            session.RecordRefresh = RefreshAsync(records, session, record);
        }
    }

    /// <summary>
    /// Writes the record of a session in use again; when its client deleted it on another instance meanwhile (the fleet's
    /// notice lost), the copy here ends too.
    /// </summary>
    private async Task RefreshAsync(SessionRecordStore records, HostedSession session, SessionRecord record)
    {
        if (await records.SaveAsync(session.Id, record, again: true).ConfigureAwait(false) == RecordWrite.Ended)
        {
            await store.EndAsync(session.Id).ConfigureAwait(false);
        }
    }
}
