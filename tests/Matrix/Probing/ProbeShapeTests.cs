using System.Globalization;
using System.Reflection.Emit;
using System.Reflection;
using McpCompat.Probing;
namespace McpCompat.Tests.Probing;

/// <summary>
/// The probe fed SDK assemblies of unexpected shapes, made here for the purpose (Reflection.Emit, and an
/// <see cref="Assembly"/> whose members throw): each gives an absent feature with a reason and the fallback
/// path, never an exception.
/// </summary>
public sealed class ProbeShapeTests
{
    private const string OptionsType = "ModelContextProtocol.AspNetCore.HttpServerTransportOptions";

    /// <summary>Makes an assembly named like the SDK's AspNetCore package whose options type has the given properties.</summary>
    private static Assembly FakeAspNetCore(string version, params (string Name, Type Type)[] properties)
    {
        var name = new AssemblyName("ModelContextProtocol.AspNetCore") { Version = new Version(1, 0, 0, 0) };
        var assembly = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.RunAndCollect);
        assembly.SetCustomAttribute(new CustomAttributeBuilder(
            typeof(AssemblyInformationalVersionAttribute).GetConstructor([typeof(string)])!, [version]));
        var module = assembly.DefineDynamicModule("ModelContextProtocol.AspNetCore");
        var type = module.DefineType(OptionsType, TypeAttributes.Public | TypeAttributes.Class | TypeAttributes.Sealed);
        foreach (var (propertyName, propertyType) in properties)
        {
            AddProperty(type, propertyName, propertyType);
        }

        type.CreateType();
        return assembly;
    }

    private static void AddProperty(TypeBuilder type, string name, Type propertyType)
    {
        var field = type.DefineField("_" + name, propertyType, FieldAttributes.Private);
        var property = type.DefineProperty(name, PropertyAttributes.None, propertyType, null);
        const MethodAttributes accessor = MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig;

        var getter = type.DefineMethod("get_" + name, accessor, propertyType, Type.EmptyTypes);
        var il = getter.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        property.SetGetMethod(getter);

        var setter = type.DefineMethod("set_" + name, accessor, null, [propertyType]);
        il = setter.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);
        property.SetSetMethod(setter);
    }

    private static McpCompatDecision Decide(McpSdkReport report) => McpCompatDecision.Decide(report, new McpCompatOptions(), sdkIsStateless: false);

    [Fact]
    public void WellFormedFake_NativeFeaturesPresent_NativePath()
    {
        // The control: the same kind of made-up assembly, shaped right, is recognised.
        var report = McpSdkProbe.Inspect([FakeAspNetCore("9.0.0", ("IdleTimeout", typeof(TimeSpan)), ("MaxIdleSessionCount", typeof(int)))]);

        Assert.True(report.Has(McpSdkFeatureKind.NativeIdleTimeout));
        Assert.True(report.Has(McpSdkFeatureKind.NativeMaxIdleSessionCount));
        Assert.Equal("9.0.0", report.GetAssembly("ModelContextProtocol.AspNetCore")?.Version?.ToString());
        Assert.Equal(McpCompatPath.Native, Decide(report).Path);
    }

    [Fact]
    public void MemberMissing_FeatureAbsentWithReason_Fallback()
    {
        var report = McpSdkProbe.Inspect([FakeAspNetCore("9.0.0", ("MaxIdleSessionCount", typeof(int)))]);

        var idle = report.GetFeature(McpSdkFeatureKind.NativeIdleTimeout);
        Assert.False(idle.IsPresent);
        Assert.Contains("IdleTimeout", idle.Evidence, StringComparison.Ordinal);
        Assert.True(report.Has(McpSdkFeatureKind.AspNetCoreHosting));
        var decision = Decide(report);
        Assert.Equal(McpCompatPath.Fallback, decision.Path);
        Assert.Contains("IdleTimeout", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MemberOfWrongType_FeatureAbsentWithReason_Fallback()
    {
        var report = McpSdkProbe.Inspect([FakeAspNetCore("9.0.0", ("IdleTimeout", typeof(int)), ("MaxIdleSessionCount", typeof(int)))]);

        var idle = report.GetFeature(McpSdkFeatureKind.NativeIdleTimeout);
        Assert.False(idle.IsPresent);
        Assert.Contains("System.Int32", idle.Evidence, StringComparison.Ordinal);
        Assert.Contains("System.TimeSpan", idle.Evidence, StringComparison.Ordinal);
        Assert.Equal(McpCompatPath.Fallback, Decide(report).Path);
    }

    [Fact]
    public void UnparsableVersion_ReportedWithReason_NoAdvisory()
    {
        var report = McpSdkProbe.Inspect([FakeAspNetCore("not-a-version", ("IdleTimeout", typeof(TimeSpan)), ("MaxIdleSessionCount", typeof(int)))]);

        var info = report.GetAssembly("ModelContextProtocol.AspNetCore");
        Assert.NotNull(info);
        Assert.Null(info.Version);
        Assert.Empty(report.Advisories);
    }

    [Fact]
    public void AssemblyWhoseMembersThrow_FeaturesAbsentWithReason_NeverThrows()
    {
        var report = McpSdkProbe.Inspect([new ThrowingAssembly("ModelContextProtocol.AspNetCore"), new ThrowingAssembly("ModelContextProtocol.Core")]);

        var hosting = report.GetFeature(McpSdkFeatureKind.AspNetCoreHosting);
        Assert.False(hosting.IsPresent);
        Assert.Contains("threw", hosting.Evidence, StringComparison.Ordinal);
        var transport = report.GetFeature(McpSdkFeatureKind.StreamableHttpTransport);
        Assert.False(transport.IsPresent);
        Assert.Contains("threw", transport.Evidence, StringComparison.Ordinal);
        Assert.Equal(McpCompatPath.NoHttpHost, Decide(report).Path);
        Assert.NotNull(report.ToString());
    }

    /// <summary>An assembly that answers to its name and throws from everything else.</summary>
    private sealed class ThrowingAssembly(string name) : Assembly
    {
        public override string FullName => string.Create(CultureInfo.InvariantCulture, $"{name}, Version=1.0.0.0");

        public override AssemblyName GetName() => new(name) { Version = new Version(1, 0, 0, 0) };

        public override AssemblyName GetName(bool copiedName) => GetName();

        public override Type? GetType(string name, bool throwOnError, bool ignoreCase) => throw new InvalidOperationException("metadata unreadable");

        public override object[] GetCustomAttributes(bool inherit) => throw new InvalidOperationException("attributes unreadable");

        public override object[] GetCustomAttributes(Type attributeType, bool inherit) => throw new InvalidOperationException("attributes unreadable");

        public override IList<CustomAttributeData> GetCustomAttributesData() => throw new InvalidOperationException("attributes unreadable");

        public override Type[] GetExportedTypes() => throw new InvalidOperationException("types unreadable");

        public override Type[] GetTypes() => throw new InvalidOperationException("types unreadable");
    }
}
