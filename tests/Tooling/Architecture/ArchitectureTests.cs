using System.CodeDom.Compiler;
using System.Reflection;
using McpCompat;
using NetArchTest.Rules;

namespace McpCompat.Tooling.Tests.Architecture;

/// <summary>
/// The direction of McpCompat's dependencies, written once. Rooms are entry points (the SDK's <c>MapMcp</c>, McpCompat's
/// <c>MapMcpCompat</c>); kernels are what rooms are built from. A room never names another room; a kernel never names
/// a room, and names only the kernels listed before it; the public surface (the namespace <c>McpCompat</c>) names no
/// room. Each folder of <c>src/Compat</c> is one namespace, so this reads the folders.
/// </summary>
public sealed class ArchitectureTests
{
    private const string Root = "McpCompat";

    /// <summary>The kernels, lowest first: each may name only those before it.</summary>
    private static readonly string[] Kernels = ["Telemetry", "Options", "Probing", "Http", "Decision", "Sessions", "Streams", "Resumption", "Health"];

    /// <summary>The rooms: each may name every kernel, and no other room.</summary>
    private static readonly string[] Rooms = ["MapMcp", "MapMcpCompat"];

    /// <summary>Namespaces of the extension methods, so callers need no <c>using</c>: the composition root.</summary>
    private static readonly string[] Extensions = ["Microsoft.Extensions.DependencyInjection", "Microsoft.AspNetCore.Builder"];

    private static readonly Assembly Library = typeof(McpCompatOptions).Assembly;

    public static TheoryData<string> KernelNames => new(Kernels);

    public static TheoryData<string> RoomNames => new(Rooms);

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void Kernel_NamesNoRoomAndNoKernelAboveIt(string kernel)
    {
        var forbidden = Rooms.Concat(Kernels.SkipWhile(k => k != kernel).Skip(1)).Select(Prefix).ToArray();

        var result = In(kernel).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();

        Assert.True(result.IsSuccessful, Failure($"kernel {kernel} names a room or a kernel above it ({string.Join(", ", forbidden)})", result));
    }

    [Theory]
    [MemberData(nameof(RoomNames))]
    public void Room_NamesNoOtherRoom(string room)
    {
        var others = Rooms.Where(r => r != room).Select(Prefix).ToArray();

        var result = In(room).ShouldNot().HaveDependencyOnAny(others).GetResult();

        Assert.True(result.IsSuccessful, Failure($"room {room} names another room ({string.Join(", ", others)})", result));
    }

    [Fact]
    public void Gateway_IsARoomOfItsOwn_NamingNoOtherRoom()
    {
        // McpCompat.Gateway, a package of its own, is the third room: built from the kernels, never from the other hosts.
        var gateway = typeof(McpCompat.Gateway.GatewayEndpoint).Assembly;

        var result = Types.InAssembly(gateway).ShouldNot().HaveDependencyOnAny(Rooms.Select(Prefix).ToArray()).GetResult();

        Assert.True(Types.InAssembly(gateway).That().ResideInNamespaceMatching(@"^McpCompat\.Gateway$").GetTypes().Any(), "no types in McpCompat.Gateway");
        Assert.True(result.IsSuccessful, Failure($"the gateway names a room ({string.Join(", ", Rooms)})", result));
    }

    [Fact]
    public void PublicSurface_NamesNoRoom()
    {
        var result = Types.InAssembly(Library).That().ResideInNamespaceMatching($"^{Root}$")
            .ShouldNot().HaveDependencyOnAny(Rooms.Select(Prefix).ToArray()).GetResult();

        Assert.True(result.IsSuccessful, Failure("the public surface (namespace McpCompat) names a room", result));
    }

    [Fact]
    public void EveryType_LivesInARoomAKernelOrTheSurface()
    {
        string[] known = [Root, .. Extensions, .. Kernels.Concat(Rooms).Select(n => $"{Root}.{n}")];

        var strays = Types.InAssembly(Library).GetTypes()
            .Where(t => t.Namespace is not null && !known.Contains(t.Namespace, StringComparer.Ordinal))
            // What a source generator of the framework emits (the options validator's) lives in a namespace of its own.
            .Where(t => t.GetCustomAttribute<GeneratedCodeAttribute>() is null)
            .Select(t => t.FullName)
            .ToArray();

        Assert.True(strays.Length == 0, $"types outside the known rooms and kernels (add the folder to {nameof(ArchitectureTests)}): {string.Join(", ", strays)}");
    }

    [Fact]
    public void Rules_SeeTheLibrary()
    {
        // A rule over an empty selection passes whatever the code does: every room and kernel holds types.
        foreach (var name in Kernels.Concat(Rooms))
        {
            Assert.True(In(name).GetTypes().Any(), $"no types in {Root}.{name}");
        }
    }

    private static PredicateList In(string name) =>
        Types.InAssembly(Library).That().ResideInNamespaceMatching($@"^{Root}\.{name}$");

    // The trailing dot keeps McpCompat.MapMcp from matching McpCompat.MapMcpCompat.
    private static string Prefix(string name) => $"{Root}.{name}";

    private static string Failure(string rule, TestResult result) =>
        $"{rule}: {string.Join(", ", result.FailingTypeNames ?? [])}";
}
