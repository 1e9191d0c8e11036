using Microsoft.Extensions.Primitives;

namespace McpCompat.Gateway;

/// <summary>
/// The values of <see cref="McpCompatGatewayOptions.SessionHeaders"/> a client's latest request carried: sent again on
/// the gateway's own requests for its session. Held in memory only, never recorded.
/// </summary>
internal sealed class CarriedHeaders
{
    private readonly KeyValuePair<string, StringValues>[] _headers;

    private CarriedHeaders(KeyValuePair<string, StringValues>[] headers) => _headers = headers;

    /// <summary>
    /// Gets the headers named <paramref name="names"/> that <paramref name="request"/> carries: <paramref name="held"/>
    /// itself when they are the same (no copy per request), <see langword="null"/> when it carries none.
    /// </summary>
    public static CarriedHeaders? From(IReadOnlyList<string> names, Microsoft.AspNetCore.Http.IHeaderDictionary request, CarriedHeaders? held)
    {
        var same = held is not null;
        var found = 0;
        for (var i = 0; i < names.Count; i++)
        {
            var value = request.TryGetValue(names[i], out var v) ? v : StringValues.Empty;
            found += value.Count > 0 ? 1 : 0;
            if (same && !StringValues.Equals(value, held!.ValueOf(names[i])))
            {
                same = false;
            }
        }

        if (same || found == 0)
        {
            return found == 0 ? null : held;
        }

        var headers = new KeyValuePair<string, StringValues>[found];
        var at = 0;
        foreach (var name in names)
        {
            if (request.TryGetValue(name, out var value) && value.Count > 0)
            {
                headers[at++] = new(name, value);
            }
        }

        return new CarriedHeaders(headers);
    }

    /// <summary>Adds the headers to <paramref name="request"/>, as the client sent them.</summary>
    public void AddTo(HttpRequestMessage request)
    {
        foreach (var (name, value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)value);
        }
    }

    private StringValues ValueOf(string name)
    {
        foreach (var (held, value) in _headers)
        {
            if (string.Equals(held, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return StringValues.Empty;
    }
}
