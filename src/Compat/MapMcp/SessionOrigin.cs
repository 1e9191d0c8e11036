using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpCompat.MapMcp;

/// <summary>The endpoint and route values of the request that created a session.</summary>
internal sealed record SessionOrigin(Endpoint? Endpoint, PathString Path, RouteValueDictionary RouteValues);
