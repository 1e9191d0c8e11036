using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using NuGet.Versioning;

namespace McpCompat.Probing;

/// <summary>The probe's implementation.</summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
internal static partial class SdkProbe
{
    internal const string CoreAssembly = "ModelContextProtocol.Core";
    internal const string MainAssembly = "ModelContextProtocol";
    internal const string AspNetCoreAssembly = "ModelContextProtocol.AspNetCore";

    internal const string OptionsTypeName = "ModelContextProtocol.AspNetCore.HttpServerTransportOptions";
    internal const string TransportTypeName = "ModelContextProtocol.Server.StreamableHttpServerTransport";

    /// <summary>The host's types whose methods serve the endpoints <c>MapMcp</c> maps: Streamable HTTP, and the legacy HTTP with SSE.</summary>
    internal const string StreamableHttpHandlerTypeName = "ModelContextProtocol.AspNetCore.StreamableHttpHandler";
    internal const string SseHandlerTypeName = "ModelContextProtocol.AspNetCore.SseHandler";

    /// <summary>The SDK's assemblies (each the package of the same name), in dependency order.</summary>
    internal static readonly string[] SdkAssemblyNames = [CoreAssembly, MainAssembly, AspNetCoreAssembly];

    internal static IReadOnlyList<Assembly> LoadSdkAssemblies()
    {
        var found = new List<Assembly>();
        foreach (var name in SdkAssemblyNames)
        {
            try
            {
                found.Add(Assembly.Load(new AssemblyName(name)));
            }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                // Not part of this application: the report says so.
            }
        }

        return found;
    }

    internal static McpSdkReport Inspect(IEnumerable<Assembly> candidates)
    {
        var byName = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        foreach (var assembly in candidates)
        {
            var name = SafeName(assembly);
            if (name is not null && Array.Exists(SdkAssemblyNames, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
            {
                byName.TryAdd(name, assembly);
            }
        }

        var infos = new List<McpSdkAssemblyInfo>();
        var advisories = new List<McpSdkAdvisory>();
        foreach (var name in SdkAssemblyNames)
        {
            if (byName.TryGetValue(name, out var assembly))
            {
                var info = ReadVersion(name, assembly);
                infos.Add(info);
                advisories.AddRange(KnownDefects.For(name, info.NuGetVersion));
            }
        }

        var features = new List<McpSdkFeature>();
        byName.TryGetValue(CoreAssembly, out var core);
        byName.TryGetValue(AspNetCoreAssembly, out var aspNetCore);

        // Streamable HTTP transport (ModelContextProtocol.Core) and its API shape.
        var transport = FindType(core, CoreAssembly, TransportTypeName, out var transportEvidence);
        features.Add(new(McpSdkFeatureKind.StreamableHttpTransport, transport is not null, transportEvidence));
        var postMessage = FindMethod(transport, "HandlePostRequestAsync", ["ModelContextProtocol.Protocol.JsonRpcMessage", StreamTypeName, CancellationTokenTypeName], out var messageEvidence);
        features.Add(new(McpSdkFeatureKind.StreamableHttpMessageApi, postMessage is not null, messageEvidence));
        var postPipe = FindMethod(transport, "HandlePostRequest", ["System.IO.Pipelines.IDuplexPipe", "System.Threading.CancellationToken"], out var pipeEvidence);
        features.Add(new(McpSdkFeatureKind.StreamableHttpPipeApi, postPipe is not null, pipeEvidence));

        // The SDK's own Streamable HTTP host (ModelContextProtocol.AspNetCore) and its idle handling.
        var options = FindType(aspNetCore, AspNetCoreAssembly, OptionsTypeName, out var optionsEvidence);
        features.Add(new(McpSdkFeatureKind.AspNetCoreHosting, options is not null, optionsEvidence));
        var idleTimeout = FindProperty(options, "IdleTimeout", "System.TimeSpan", out var idleEvidence);
        features.Add(new(McpSdkFeatureKind.NativeIdleTimeout, idleTimeout is not null, idleEvidence));
        var maxIdle = FindProperty(options, "MaxIdleSessionCount", "System.Int32", out var maxIdleEvidence);
        features.Add(new(McpSdkFeatureKind.NativeMaxIdleSessionCount, maxIdle is not null, maxIdleEvidence));
        var timeProvider = FindProperty(options, "TimeProvider", "System.TimeProvider", out var timeEvidence);
        features.Add(new(McpSdkFeatureKind.NativeTimeProvider, timeProvider is not null, timeEvidence));

        var sessionMode = FindProperty(options, "SessionMode", expectedType: null, out var modeEvidence);
        if (sessionMode is not null && !(sessionMode.PropertyType.IsEnum && Enum.GetNames(sessionMode.PropertyType).Contains("Stateless")))
        {
            modeEvidence = $"{Describe(sessionMode)} is not an enum with a Stateless value";
            sessionMode = null;
        }

        features.Add(new(McpSdkFeatureKind.SessionMode, sessionMode is not null, modeEvidence));
        var stateless = FindProperty(options, "Stateless", "System.Boolean", out var statelessEvidence);
        features.Add(new(McpSdkFeatureKind.StatelessOption, stateless is not null, statelessEvidence));

        var members = FindHostingMembers(core, transport) with
        {
            HttpServerTransportOptionsType = options,
            IdleTimeout = idleTimeout,
            MaxIdleSessionCount = maxIdle,
            TimeProvider = timeProvider,
            SessionMode = sessionMode,
            Stateless = stateless,
            StreamableHttpHandlerType = FindType(aspNetCore, AspNetCoreAssembly, StreamableHttpHandlerTypeName, out _),
            SseHandlerType = FindType(aspNetCore, AspNetCoreAssembly, SseHandlerTypeName, out _),
            StreamableHttpServerTransportType = transport,
            HandlePostMessage = postMessage,
            HandlePostPipe = postPipe,
        };

        // Resumable streams (an event stream store) and the protocol revisions MapMcpCompat serves.
        (members, var streams) = FindEventStreamMembers(core, transport, members);
        features.Add(streams);
        (members, var revisions) = FindProtocolRevisions(core, transport, members);
        features.Add(revisions);

        // Sessions the SDK's host rebuilds from a handler's answer: how evicted sessions resume on MapMcp.
        (members, var migration) = FindSessionMigrationMembers(aspNetCore, options, members);
        features.Add(migration);

        return new McpSdkReport(infos, features, advisories, members);
    }

    private static string? SafeName(Assembly assembly)
    {
        try
        {
            return assembly.GetName().Name;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static McpSdkAssemblyInfo ReadVersion(string name, Assembly assembly)
    {
        try
        {
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (string.IsNullOrWhiteSpace(informational))
            {
                return new McpSdkAssemblyInfo(name, null, "no AssemblyInformationalVersion attribute");
            }

            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            var text = plus >= 0 ? informational[..plus] : informational;
            return NuGetVersion.TryParse(text, out var version)
                ? new McpSdkAssemblyInfo(name, version, $"AssemblyInformationalVersion '{informational}'")
                : new McpSdkAssemblyInfo(name, null, $"AssemblyInformationalVersion '{informational}' is not a NuGet version");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new McpSdkAssemblyInfo(name, null, $"reading the version threw {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static Type? FindType(Assembly? assembly, string assemblyName, string typeName, out string evidence)
    {
        if (assembly is null)
        {
            evidence = $"assembly {assemblyName} is not loaded";
            return null;
        }

        try
        {
            var type = assembly.GetType(typeName, throwOnError: false);
            evidence = type is null ? $"type {typeName} not found in {assemblyName}" : $"type {typeName} in {assemblyName}";
            return type;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            evidence = $"loading type {typeName} threw {ex.GetType().Name}: {ex.Message}";
            return null;
        }
    }

    private static PropertyInfo? FindProperty(Type? owner, string name, string? expectedType, out string evidence)
    {
        if (owner is null)
        {
            evidence = $"no type to look for {name} on";
            return null;
        }

        try
        {
            var property = owner.GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
            if (property is null)
            {
                evidence = $"{owner.Name}.{name} not found";
                return null;
            }

            if (expectedType is not null && property.PropertyType.FullName != expectedType)
            {
                evidence = $"{owner.Name}.{name} is {property.PropertyType.FullName}, expected {expectedType}";
                return null;
            }

            if (property.GetMethod is not { IsPublic: true } || property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length != 0)
            {
                evidence = $"{owner.Name}.{name} is not a public get/set property";
                return null;
            }

            evidence = Describe(property);
            return property;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            evidence = $"looking for {owner.Name}.{name} threw {ex.GetType().Name}: {ex.Message}";
            return null;
        }
    }

    private static MethodInfo? FindMethod(Type? owner, string name, string[] parameterTypes, out string evidence)
    {
        var signature = $"{name}({string.Join(", ", parameterTypes.Select(p => p[(p.LastIndexOf('.') + 1)..]))})";
        if (owner is null)
        {
            evidence = $"no transport type to look for {signature} on";
            return null;
        }

        try
        {
            foreach (var method in owner.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (method.Name != name)
                {
                    continue;
                }

                var parameters = method.GetParameters();
                if (parameters.Length == parameterTypes.Length &&
                    parameters.Select(p => p.ParameterType.FullName).SequenceEqual(parameterTypes))
                {
                    evidence = $"{owner.Name}.{signature} returns {method.ReturnType.Name}";
                    return method;
                }
            }

            evidence = $"{owner.Name}.{signature} not found";
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            evidence = $"looking for {owner.Name}.{signature} threw {ex.GetType().Name}: {ex.Message}";
            return null;
        }
    }

    private static string Describe(PropertyInfo property)
    {
        var obsolete = property.GetCustomAttribute<ObsoleteAttribute>();
        var note = obsolete is null ? string.Empty : $" [obsolete{(obsolete.DiagnosticId is { } id ? " " + id : string.Empty)}]";
        return $"{property.DeclaringType?.Name}.{property.Name} : {property.PropertyType.Name} {{ get; set; }}{note}";
    }
}
