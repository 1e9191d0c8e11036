using McpCompat.Http;
using McpCompat.Probing;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Reads a POST's body as one JSON-RPC message (<see cref="RequestBodyReader"/>), with the SDK's own serializer where the
/// SDK's transport takes parsed messages (the message API shape), so it is read once for both.
/// </summary>
internal sealed class PostedMessageReader(RequestBodyReader bodyReader, CoreTransportApi api)
{
    /// <summary>Returns the message, or answers and returns <see langword="null"/> when the body is not one.</summary>
    public async ValueTask<PostedMessage?> ReadAsync(HttpContext context) =>
        await bodyReader.ReadAsync(context).ConfigureAwait(false) is { } body
            ? await bodyReader.ParseAsync(context, body, asSdkMessage: api.Shape == TransportApiShape.Message).ConfigureAwait(false)
            : null;
}
