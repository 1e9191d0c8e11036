#if MCPSDK_2_1_OR_GREATER
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
#endif

namespace ConformanceServer;

/// <summary>
/// <c>--listen hold</c>: a <c>subscriptions/listen</c> handler of the application's own, as a server with an event source
/// of its own writes one on stateless Streamable HTTP (the SDK's built-in handler there grants nothing and completes at
/// once): it acknowledges tool list changes and holds the stream open, quiet, until the request is cancelled. Where the
/// SDK has no such handler (before 2.1.0) the option is refused.
/// </summary>
internal static class ListenHold
{
#if MCPSDK_2_1_OR_GREATER
    public const bool Available = true;

    public static void Add(IMcpServerBuilder mcp) =>
        mcp.Services.Configure<McpServerOptions>(options => options.Handlers.SubscriptionsListenHandler = async (request, cancellationToken) =>
        {
            var parameters = new JsonObject
            {
                ["notifications"] = new JsonObject { ["toolsListChanged"] = true },
                ["_meta"] = new JsonObject { [MetaKeys.SubscriptionId] = JsonSerializer.SerializeToNode(request.JsonRpcRequest.Id, McpJsonUtilities.DefaultOptions) },
            };
            await request.Server.SendMessageAsync(
                new JsonRpcNotification { Method = NotificationMethods.SubscriptionsAcknowledgedNotification, Params = parameters },
                cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The client went away (or the application is stopping): the subscription is over.
            }

            return new EmptyResult();
        });
#else
    public const bool Available = false;

    public static void Add(IMcpServerBuilder mcp) => throw new NotSupportedException();
#endif
}
