using McpCompat.GatewayLoad;

// McpCompat Gateway's costs, for eng/perf.sh (see GatewayBench and BareProxy):
//   proxy  --upstream <scheme://host:port> [--urls <url>]        a bare YARP route: /mcp forwarded as it is, nothing else
//   load   --target <name>=<url> ... --pid <name>=<pid[,pid]> ... [--rounds 6] [--seconds 3] [--workers 8] --out <json>
//   resume --gateway <url> --upstream-dll <path> --upstream-port <port> [--times 5] --out <json>
//   report --load <json> --resume <json> --out <markdown>
return args.FirstOrDefault() switch
{
    "proxy" => await BareProxy.RunAsync(args[1..]),
    "load" => await GatewayBench.LoadAsync(Arguments.Parse(args[1..])),
    "resume" => await GatewayBench.ResumeAsync(Arguments.Parse(args[1..])),
    "report" => GatewayReportWriter.Write(Arguments.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage: McpCompat.GatewayLoad proxy|load|resume|report … (see Program.cs)");
    return 2;
}
