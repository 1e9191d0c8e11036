using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CSharpClient;

/// <summary>The SDK's log, kept from Warning up: a transport error the client does not throw still shows here.</summary>
public sealed class ProblemLog : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<string> _problems = new();

    public IReadOnlyList<string> Problems => [.. _problems];

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            _problems.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
        }
    }

    public void Dispose()
    {
    }
}
