using System.Text.Json.Nodes;

namespace HostileClient.Scenarios;

/// <summary>
/// <c>restarted-store</c>: a DELETE that Redis forgets. In two steps around a restart of Redis from a snapshot, which
/// the script does between them; <c>--state &lt;file&gt;</c> carries the sessions from one step to the next.
/// <c>--step before</c>: opens the session to delete on A and two controls (one on A, one on B), has Redis snapshot
/// (SAVE) with their records in it, then DELETEs the session on A. <c>--step after</c>: waits (up to
/// <c>--recover-s</c>, 15) until each instance resumes the control opened on the other (it reads the restarted Redis),
/// then asks for the deleted session on A and on B. The promise: it does not resume on either.
/// </summary>
internal static class RestartedStore
{
    private const string Name = "restarted-store";

    public static async Task<bool> RunAsync(Settings settings, McpWire wire, Target target)
    {
        var state = settings.String("state", "");
        if (state.Length == 0)
        {
            throw new ArgumentException("--state <file> is required");
        }

        var file = $"{state}.{target.Label}.json";
        return settings.String("step", "") switch
        {
            "before" => await BeforeAsync(wire, target, file),
            "after" => await AfterAsync(wire, target, file, TimeSpan.FromSeconds(settings.Double("recover-s", 15))),
            _ => throw new ArgumentException("--step before or --step after"),
        };
    }

    private static async Task<bool> BeforeAsync(McpWire wire, Target target, string file)
    {
        var deleted = await wire.OpenAsync(target.A);
        await wire.EchoAsync(target.A, deleted);
        var controlOnA = await wire.OpenAsync(target.A);
        var controlOnB = await wire.OpenAsync(target.B);

        using (var redis = await target.ConnectRedisAsync())
        {
            await redis.SendAsync("SAVE");
        }

        var delete = await wire.DeleteAsync(target.A, deleted);
        var line = new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["step"] = "before",
            ["deleted"] = deleted.Id,
            ["revision"] = deleted.ProtocolVersion,
            ["controlOnA"] = controlOnA.Id,
            ["controlOnB"] = controlOnB.Id,
            ["delete"] = delete.Status,
        };
        await File.WriteAllTextAsync(file, line.ToJsonString());
        Report.Line(line);
        var ok = McpWire.IsSuccess(delete.Status);
        if (!ok)
        {
            Report.Check(Name, target, false, $"the DELETE before the restart answered {McpWire.StatusText(delete.Status)} (2xx expected)");
        }

        return ok;
    }

    private static async Task<bool> AfterAsync(McpWire wire, Target target, string file, TimeSpan recover)
    {
        var saved = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var revision = (string)saved["revision"]!;
        var deleted = new McpSession((string)saved["deleted"]!, revision);
        var controlOnA = new McpSession((string)saved["controlOnA"]!, revision);
        var controlOnB = new McpSession((string)saved["controlOnB"]!, revision);

        // Each instance resumes the control it never held: it reads the restarted Redis.
        var started = McpWire.Now;
        var aReads = false;
        var bReads = false;
        while (!(aReads && bReads) && McpWire.Now - started < recover.TotalMilliseconds)
        {
            aReads = aReads || (await wire.EchoAsync(target.A, controlOnB)).Served;
            bReads = bReads || (await wire.EchoAsync(target.B, controlOnA)).Served;
            if (!(aReads && bReads))
            {
                await Task.Delay(200);
            }
        }

        var recovered = Scenario.Ms(McpWire.Now - started);
        var onA = await wire.EchoAsync(target.A, deleted);
        var onB = await wire.EchoAsync(target.B, deleted);
        using var redis = await target.ConnectRedisAsync();
        var record = await redis.RecordsOfAsync([deleted.Id]);
        Report.Line(new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["step"] = "after",
            ["deleted"] = deleted.Id,
            ["deleteBefore"] = (int)saved["delete"]!,
            ["controlsResumedAfterMs"] = recovered,
            ["aReadsStore"] = aReads,
            ["bReadsStore"] = bReads,
            ["onA"] = onA.Status,
            ["onB"] = onB.Status,
            ["record"] = record,
        });

        if (!(aReads && bReads))
        {
            Report.Check(Name, target, false,
                $"after the restart the instances did not resume sessions from Redis within {recover.TotalSeconds:0} s (A {Scenario.Yes(aReads)}, B {Scenario.Yes(bReads)}): nothing to conclude");
            return false;
        }

        var ok = !onA.Served && !onB.Served;
        Report.Check(Name, target, ok,
            $"DELETE answered {McpWire.StatusText((int)saved["delete"]!)}, then Redis restarted from a snapshot taken before it: " +
            $"the deleted session answered {McpWire.StatusText(onA.Status)} on A and {McpWire.StatusText(onB.Status)} on B " +
            $"(record in Redis: {Scenario.Yes(record > 0)}; instances read Redis again after {recovered} ms; 404 on both expected)");
        return ok;
    }
}
