using System.Net;
using System.Net.Sockets;

namespace Migrations.Build.Engine.Tests.Database;

/// <summary>
/// A loopback TCP relay to a server that a test can cut mid-conversation, as a dropped network link or a
/// restarted load balancer would: the client sees its connection reset without any error from the server.
/// </summary>
internal sealed class SeveringProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _sockets = [];
    private readonly int _serverPort;

    public SeveringProxy(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Resets every relayed connection, both sides.</summary>
    public void Sever()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.LingerState = new LingerOption(true, 0); // close with RST, not an orderly FIN
                socket.Close();
            }
            _sockets.Clear();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        Sever();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // stopped
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(IPAddress.Loopback, _serverPort);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }
            _ = RelayAsync(client, server);
            _ = RelayAsync(server, client);
        }
    }

    private static async Task RelayAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // severed
        }
    }
}
