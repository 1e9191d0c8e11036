using System.Runtime.Loader;
using System.Text.Json;
using McpCompat.Cli;
using McpCompat.Tooling.Tests.Support;

namespace McpCompat.Tooling.Tests.Cli;

public sealed class ProbeCommandTests
{
    private static (int ExitCode, string Stdout, string Stderr) Run(string currentDirectory, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = ProbeCommand.Run(args, stdout, stderr, currentDirectory);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static TempFolder OldestSdk()
    {
        var folder = TestEnvironment.NewFolder();
        TestEnvironment.CopySdkAssembly(folder.Path, "ModelContextProtocol.Core", "0.2.0-preview.3");
        TestEnvironment.CopySdkAssembly(folder.Path, "ModelContextProtocol", "0.2.0-preview.3");
        return folder;
    }

    private static TempFolder NewestSdk(bool withAspNetCore)
    {
        var folder = TestEnvironment.NewFolder();
        TestEnvironment.CopySdkAssembly(folder.Path, "ModelContextProtocol.Core", "2.4.0");
        TestEnvironment.CopySdkAssembly(folder.Path, "ModelContextProtocol", "2.4.0");
        if (withAspNetCore)
        {
            TestEnvironment.CopySdkAssembly(folder.Path, "ModelContextProtocol.AspNetCore", "2.3.1");
        }

        return folder;
    }

    private static string Row(string text, string start) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Single(l => l.TrimStart().StartsWith(start, StringComparison.Ordinal));

    [Fact]
    public void Probe_OldestSdkFolder_PrintsPipeShapeNoAdvisoriesAndNoHttpHost()
    {
        using var sdk = OldestSdk();

        var (code, stdout, stderr) = Run(sdk.Path, "probe");

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.Contains($"McpCompat probe of {sdk.Path}", stdout, StringComparison.Ordinal);
        Assert.Contains("SDK: ModelContextProtocol 0.2.0-preview.3", stdout, StringComparison.Ordinal);
        Assert.Matches(@"^\s+ModelContextProtocol\.Core\s+0\.2\.0-preview\.3\s+AssemblyInformationalVersion '0\.2\.0-preview\.3\+", Row(stdout, "ModelContextProtocol.Core "));
        Assert.DoesNotContain("ModelContextProtocol.AspNetCore ", stdout.Split("Features")[0], StringComparison.Ordinal);
        Assert.Matches(@"StreamableHttpTransport\s+present", Row(stdout, "StreamableHttpTransport "));
        Assert.Matches(@"StreamableHttpPipeApi\s+present\s+StreamableHttpServerTransport\.HandlePostRequest\(IDuplexPipe, CancellationToken\)", Row(stdout, "StreamableHttpPipeApi "));
        Assert.Matches(@"StreamableHttpMessageApi\s+absent", Row(stdout, "StreamableHttpMessageApi "));
        Assert.Matches(@"AspNetCoreHosting\s+absent\s+assembly ModelContextProtocol\.AspNetCore is not loaded", Row(stdout, "AspNetCoreHosting "));
        Assert.Matches(@"NativeIdleTimeout\s+absent", Row(stdout, "NativeIdleTimeout "));
        Assert.Contains("Advisories\n  (none)", stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.StartsWith("  no_http_host ", Row(stdout, "no_http_host "), StringComparison.Ordinal);
        Assert.Contains("with MapMcpCompat: hosts Streamable HTTP over the SDK's transport (pipe API shape)", stdout, StringComparison.Ordinal);
        Assert.Contains("default McpCompatOptions", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_NewestSdkWithAspNetCore_PrintsNativeForStatefulAndStatelessForTheDefault()
    {
        using var sdk = NewestSdk(withAspNetCore: true);

        var (code, stdout, _) = Run("/", "probe", sdk.Path);

        Assert.Equal(0, code);
        Assert.Contains("SDK: ModelContextProtocol.AspNetCore 2.3.1", stdout, StringComparison.Ordinal);
        Assert.Matches(@"ModelContextProtocol\.Core\s+2\.4\.0\s", Row(stdout, "ModelContextProtocol.Core "));
        Assert.Matches(@"ModelContextProtocol\s+2\.4\.0\s", Row(stdout, "ModelContextProtocol "));
        Assert.Matches(@"ModelContextProtocol\.AspNetCore\s+2\.3\.1\s", Row(stdout, "ModelContextProtocol.AspNetCore "));
        foreach (var present in new[] { "StreamableHttpTransport", "StreamableHttpMessageApi", "AspNetCoreHosting", "NativeIdleTimeout", "NativeMaxIdleSessionCount", "NativeTimeProvider", "SessionMode", "StatelessOption" })
        {
            Assert.Matches($@"^\s+{present}\s+present\s+\S", Row(stdout, present + " "));
        }

        Assert.Matches(@"StreamableHttpPipeApi\s+absent", Row(stdout, "StreamableHttpPipeApi "));
        Assert.Contains("HttpServerTransportOptions.IdleTimeout : TimeSpan { get; set; } [obsolete MCP9006]", stdout, StringComparison.Ordinal);
        Assert.Matches(@"^\s+MCPCOMPAT003\s+ModelContextProtocol\.AspNetCore \[2\.0\.0, \)$", Row(stdout, "MCPCOMPAT003 "));
        Assert.DoesNotContain("MCPCOMPAT001", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("MCPCOMPAT002", stdout, StringComparison.Ordinal);
        Assert.Contains("the server keeps sessions", Row(stdout, "native "), StringComparison.Ordinal);
        Assert.Contains("the server leaves the session mode at the SDK's default", Row(stdout, "stateless "), StringComparison.Ordinal);
        Assert.Contains("(message API shape)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_NewestCoreOnly_NoHttpHostButHostedOnMessageShape()
    {
        using var sdk = NewestSdk(withAspNetCore: false);

        var (code, stdout, _) = Run(sdk.Path, "probe", ".");

        Assert.Equal(0, code);
        Assert.Contains("SDK: ModelContextProtocol 2.4.0", stdout, StringComparison.Ordinal);
        Assert.StartsWith("  no_http_host ", Row(stdout, "no_http_host "), StringComparison.Ordinal);
        Assert.Contains("(message API shape)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_Json_HasStablePropertyNamesAndTheSameFacts()
    {
        using var sdk = NewestSdk(withAspNetCore: true);

        var (code, stdout, _) = Run(sdk.Path, "probe", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(
            ["target", "assemblyFolder", "project", "notes", "sdk", "assemblies", "features", "advisories", "optionsAssumption", "paths", "mapMcpCompat"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(".", root.GetProperty("target").GetString());
        Assert.Equal(sdk.Path, root.GetProperty("assemblyFolder").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("project").ValueKind);

        var assembly = root.GetProperty("assemblies")[0];
        Assert.Equal(["name", "version", "versionSource", "file"], assembly.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["ModelContextProtocol.Core 2.4.0", "ModelContextProtocol 2.4.0", "ModelContextProtocol.AspNetCore 2.3.1"],
            root.GetProperty("assemblies").EnumerateArray().Select(a => $"{a.GetProperty("name").GetString()} {a.GetProperty("version").GetString()}"));
        Assert.Equal(Path.Combine(sdk.Path, "ModelContextProtocol.Core.dll"), assembly.GetProperty("file").GetString());

        var feature = root.GetProperty("features")[0];
        Assert.Equal(["name", "present", "evidence"], feature.EnumerateObject().Select(p => p.Name));
        Assert.Equal("StreamableHttpTransport", feature.GetProperty("name").GetString());
        Assert.True(feature.GetProperty("present").GetBoolean());

        var advisory = Assert.Single(root.GetProperty("advisories").EnumerateArray());
        Assert.Equal(["id", "package", "affectedVersions", "summary", "disqualifiesNativeIdleTimeout"], advisory.EnumerateObject().Select(p => p.Name));
        Assert.Equal("MCPCOMPAT003", advisory.GetProperty("id").GetString());
        Assert.Equal("[2.0.0, )", advisory.GetProperty("affectedVersions").GetString());

        var paths = root.GetProperty("paths").EnumerateArray().ToList();
        Assert.Equal(["case", "assumption", "path", "reason"], paths[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["stateful native", "sdk-default stateless"], paths.Select(p => $"{p.GetProperty("case").GetString()} {p.GetProperty("path").GetString()}"));

        var hosted = root.GetProperty("mapMcpCompat");
        Assert.Equal(["available", "apiShape", "reason"], hosted.EnumerateObject().Select(p => p.Name));
        Assert.Equal("message", hosted.GetProperty("apiShape").GetString());
    }

    [Fact]
    public void Probe_ProjectFolder_ProbesTheMostRecentBuildOutput()
    {
        using var project = TestEnvironment.NewFolder();
        File.WriteAllText(Path.Combine(project.Path, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        var older = Path.Combine(project.Path, "bin", "Debug", "net8.0");
        var newer = Path.Combine(project.Path, "bin", "Release", "net10.0");
        TestEnvironment.CopySdkAssembly(older, "ModelContextProtocol.Core", "0.2.0-preview.3");
        TestEnvironment.CopySdkAssembly(newer, "ModelContextProtocol.Core", "2.4.0");
        File.SetLastWriteTimeUtc(Path.Combine(older, "ModelContextProtocol.Core.dll"), DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(Path.Combine(newer, "ModelContextProtocol.Core.dll"), DateTime.UtcNow);

        var (code, stdout, _) = Run(project.Path, "probe");

        Assert.Equal(0, code);
        Assert.Contains($"McpCompat probe of {newer}", stdout, StringComparison.Ordinal);
        Assert.Contains($"note: project {Path.Combine(project.Path, "App.csproj")}", stdout, StringComparison.Ordinal);
        Assert.Contains($"note: also built, not probed: {older}", stdout, StringComparison.Ordinal);
        Assert.Contains("SDK: ModelContextProtocol.Core 2.4.0", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_ProjectNotBuilt_SaysToBuildFirst_ExitCode1()
    {
        using var project = TestEnvironment.NewFolder();
        File.WriteAllText(Path.Combine(project.Path, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");

        var (code, stdout, stderr) = Run(project.Path, "probe", "App.csproj");

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains("build the project first (dotnet build)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_FolderWithoutSdk_ExitCode1()
    {
        using var empty = TestEnvironment.NewFolder();

        var (code, _, stderr) = Run(empty.Path, "probe");

        Assert.Equal(1, code);
        Assert.Contains("no MCP C# SDK assembly", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("probes")]
    [InlineData("probe", "--jsn")]
    [InlineData("probe", "a", "b")]
    [InlineData("--json")]
    public void Run_BadArguments_UsageOnStderr_ExitCode2(params string[] args)
    {
        var (code, stdout, stderr) = Run(Path.GetTempPath(), args);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith("mcpcompat: ", stderr, StringComparison.Ordinal);
        Assert.Contains("Usage: mcpcompat probe [--json] [<path>]", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("probe", "-h")]
    public void Run_Help_UsageOnStdout_ExitCode0(params string[] args)
    {
        var (code, stdout, stderr) = Run(Path.GetTempPath(), args);

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.Contains("Usage: mcpcompat probe", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_LoadsTheTargetInIsolation_AndUnloadsIt()
    {
        using var newest = NewestSdk(withAspNetCore: true);
        using var oldest = OldestSdk();
        var ownCore = typeof(ModelContextProtocol.Server.StreamableHttpServerTransport).Assembly;

        var first = Run(newest.Path, "probe", "--json");
        var second = Run(oldest.Path, "probe", "--json");

        // Each probe sees its own folder's SDK, not the one before it nor the tool's own copy.
        Assert.Contains("\"version\": \"2.4.0\"", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"version\": \"0.2.0-preview.3\"", second.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("2.4.0", second.Stdout, StringComparison.Ordinal);
        Assert.All(AssemblyLoadContext.Default.Assemblies, a => Assert.False(
            !a.IsDynamic && (a.Location.StartsWith(newest.Path, StringComparison.Ordinal) || a.Location.StartsWith(oldest.Path, StringComparison.Ordinal)),
            $"{a.Location} was loaded into the default context"));
        Assert.Same(ownCore, typeof(ModelContextProtocol.Server.StreamableHttpServerTransport).Assembly);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(ownCore));
        Assert.All(AssemblyLoadContext.All.Where(c => c.Name == "McpCompat probe target"), c => Assert.True(c.IsCollectible));
    }
}
