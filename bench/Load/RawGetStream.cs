using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Load;

/// <summary>
/// A GET (SSE) stream opened on a socket of its own, from a chosen local port: the client that then stops reading,
/// or vanishes behind a dead link, without closing anything.
/// </summary>
internal sealed class RawGetStream : IDisposable
{
    private readonly Socket _socket;

    private RawGetStream(Socket socket, int localPort)
    {
        _socket = socket;
        LocalPort = localPort;
    }

    public int LocalPort { get; }

    /// <summary>Gets the bytes the server sent that wait, unread, in the socket's receive buffer.</summary>
    public int Unread => _socket.Available;

    /// <summary>Opens the session's GET stream from <paramref name="localPort"/> (0: any) and reads its response headers; throws unless 200.</summary>
    public static async Task<RawGetStream> OpenAsync(Uri endpoint, string sessionId, int localPort, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, localPort));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, endpoint.Port), cancellationToken);
            var request = $"GET {endpoint.AbsolutePath} HTTP/1.1\r\nHost: {endpoint.Authority}\r\nAccept: text/event-stream\r\n" +
                $"Mcp-Session-Id: {sessionId}\r\nMCP-Protocol-Version: 2025-06-18\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), cancellationToken);

            // Only the headers: what follows them is left in the receive buffer.
            var headers = new StringBuilder();
            var one = new byte[1];
            while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await socket.ReceiveAsync(one, cancellationToken) == 0)
                {
                    throw new IOException("The server closed the GET stream before its headers.");
                }

                headers.Append((char)one[0]);
            }

            if (!headers.ToString().StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
            {
                throw new IOException($"GET stream refused: {headers.ToString().Split("\r\n")[0]}");
            }

            return new RawGetStream(socket, ((IPEndPoint)socket.LocalEndPoint!).Port);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _socket.Dispose();
}
