using System.Net;
using McpCompat.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Support;

/// <summary>A server under test for <see cref="EvictionRace"/>: <paramref name="Gate"/> must be registered in <paramref name="App"/> before McpCompat.</summary>
internal sealed record EvictionRaceTarget(WebApplication App, FakeTimeProvider Time, RawMcpClient Client, RequestGate Gate, Func<string, bool> IsAlive, Func<int> Held);

/// <summary>Requests racing the sweeps that end their sessions, over many sessions abandoned at once.</summary>
internal static class EvictionRace
{
    // A hang is what this bound catches: generous, because 500 requests released into a sweep of hundreds of evictions
    // on a busy 2-core machine have been seen to take more than 30 s (slow, not stuck).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Round after round: opens <paramref name="perRound"/> sessions and holds one request per session at the server's
    /// door until all have arrived; moves the clock past the idle timeout, lets a quarter of the requests in (most reach
    /// their session before the sweep), then the rest together as a sweep starts, so that each meets its session live,
    /// being ended, or gone. Every answer must be 200 or a clean 404 (-32001), within a bound (no hang); a session is
    /// alive exactly when its request was answered 200, and an ended one answers 404 again. A second sweep ends the
    /// survivors: nothing is held after a round. McpCompat's background sweeper is stopped: the test's sweeps race.
    /// </summary>
    /// <returns>How many racing requests were answered 200 and how many 404.</returns>
    public static async Task<(int Ok, int NotFound)> RunRoundsAsync(EvictionRaceTarget target, int rounds, int perRound)
    {
        var services = target.App.Services;
        await SweeperService.StopAsync(services);
        var sweeper = services.GetRequiredService<SessionSweeper>();
        var idleTimeout = services.GetRequiredService<IOptions<McpCompatOptions>>().Value.SessionIdleTimeout!.Value;
        var client = target.Client;

        // The racing requests go through a client of their own whose timeout does not cut in before the bound (the
        // hosts' clients give up after 30 s); every other request stays on the host's client.
        using var racingHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var racing = new RawMcpClient(racingHttp, client.Endpoint, client.ProtocolVersion);
        var first = perRound / 4;
        var ok = 0;
        var notFound = 0;
        using var opening = new SemaphoreSlim(8);
        for (var round = 0; round < rounds; round++)
        {
            var ids = await Task.WhenAll(Enumerable.Range(0, perRound).Select(async _ =>
            {
                await opening.WaitAsync();
                try
                {
                    return await client.InitializeAsync();
                }
                finally
                {
                    opening.Release();
                }
            }));

            var waiting = target.Gate.HoldAsync(perRound);
            using var bound = new CancellationTokenSource(Bound);
            var requests = ids.Select(id => racing.RequestAsync(id, "ping", cancellationToken: bound.Token)).ToArray();
            await waiting.WaitAsync(Bound);

            // Each request is bounded from here, once all of them wait at the door: opening 500 connections on a busy
            // machine is not the race being measured.
            bound.CancelAfter(Bound);
            target.Time.Advance(idleTimeout);
            await target.Gate.LetInAsync(first).WaitAsync(Bound);
            target.Gate.Release();
            await sweeper.SweepOnceAsync();
            (HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Message)[] answers;
            try
            {
                answers = await Task.WhenAll(requests);
            }
            catch (OperationCanceledException)
            {
                // Name where the unanswered requests are, so a hang is found at its depth, not guessed at.
                var unanswered = ids.Where((_, i) => !requests[i].IsCompletedSuccessfully).ToList();
                Assert.Fail($"round {round}: {unanswered.Count} requests unanswered after {Bound.TotalSeconds:0} s ({target.Gate.Describe()}); " +
                    $"their sessions alive: {unanswered.Count(target.IsAlive)}; first: {unanswered.FirstOrDefault()}");
                throw;
            }

            var ended = new List<string>();
            for (var i = 0; i < ids.Length; i++)
            {
                var (status, message) = answers[i];
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"unexpected {(int)status}");
                if (status == HttpStatusCode.NotFound)
                {
                    Assert.Equal(-32001, (int?)message?["error"]?["code"]);
                    ended.Add(ids[i]);
                }

                // No half-ended state: a request that got in kept its session, one that did not found it ended.
                Assert.True(target.IsAlive(ids[i]) == (status == HttpStatusCode.OK), $"session {ids[i]} answered {(int)status}, alive: {target.IsAlive(ids[i])}");
            }

            ok += ids.Length - ended.Count;
            notFound += ended.Count;
            foreach (var id in ended)
            {
                Assert.Equal(HttpStatusCode.NotFound, await client.PingAsync(id));
            }

            // The survivors fall idle past the timeout in turn: nothing is held after the next sweep.
            target.Time.Advance(idleTimeout);
            await sweeper.SweepOnceAsync();
            Assert.Equal(0, target.Held());
            foreach (var id in ids.Except(ended))
            {
                Assert.Equal(HttpStatusCode.NotFound, await client.PingAsync(id));
            }
        }

        return (ok, notFound);
    }
}
