using System.Buffers;
using System.IO.Pipelines;
using System.Linq.Expressions;
using System.Reflection;
using System.Security.Claims;
using McpCompat.Http;
using McpCompat.Probing;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>The pipe API shape (0.2): the transport reads the POSTed message from a pipe itself and writes SSE.</summary>
internal sealed class PipeTransportAdapter : ITransportAdapter
{
    private readonly Func<ILoggerFactory, string, object?, object> _create;
    private readonly Func<object, IDuplexPipe, CancellationToken, Task<bool>> _post;
    private readonly Func<object, Stream, CancellationToken, Task> _get;

    public PipeTransportAdapter(ConstructorInfo constructor, MethodInfo post, MethodInfo get)
    {
        _create = TransportDelegates.CreateTransport(constructor, sessionIdProperty: null);
        _get = TransportDelegates.HandleGet(get);

        var transport = Expression.Parameter(typeof(object), "transport");
        var pipe = Expression.Parameter(typeof(IDuplexPipe), "pipe");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var call = Expression.Call(Expression.Convert(transport, post.DeclaringType!), post, pipe, token);
        _post = Expression.Lambda<Func<object, IDuplexPipe, CancellationToken, Task<bool>>>(call, transport, pipe, token).Compile();
    }

    public TransportApiShape Shape => TransportApiShape.Pipe;

    // This shape has no event stream store: the store, if any, is not used.
    public object CreateTransport(ILoggerFactory loggerFactory, string sessionId, object? eventStreamStore) => _create(loggerFactory, sessionId, null);

    // This shape has no notion of the request's user or protocol version: the transport gets the body already read.
    // It flushes after each event; what a call that failed left unflushed is dropped, not written after the fact.
    public async Task<bool> HandlePostAsync(object transport, PostedMessage message, ClaimsPrincipal user, string? protocolVersion, Stream responseBody, CancellationToken cancellationToken)
    {
        var body = message.Body;
        var output = PipeWriter.Create(responseBody, new StreamPipeWriterOptions(leaveOpen: true));
        bool wrote;
        try
        {
            wrote = await _post(transport, new BodyPipe(PipeReader.Create(new ReadOnlySequence<byte>(body)), output), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await output.CompleteAsync(ex).ConfigureAwait(false);
            throw;
        }

        await output.CompleteAsync().ConfigureAwait(false);
        return wrote;
    }

    public Task HandleGetAsync(object transport, Stream responseBody, CancellationToken cancellationToken) => _get(transport, responseBody, cancellationToken);

    private sealed class BodyPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
