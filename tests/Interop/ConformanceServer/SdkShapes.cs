// The names of the SDK's types that changed at 1.0.0; the rest of the fixture is written against these aliases.
#if MCPSDK_1_0_OR_GREATER
global using SessionServer = ModelContextProtocol.Server.McpServer;
global using ToolResult = ModelContextProtocol.Protocol.CallToolResult;
#else
global using SessionServer = ModelContextProtocol.Server.IMcpServer;
global using ToolResult = ModelContextProtocol.Protocol.CallToolResponse;
#endif
