// The HTTP/1.1 server: Boost.Beast over Asio, a small thread pool, one App.
#pragma once

#include "app.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace crm_http {

/// How the server listens.
struct ServerOptions {
    std::string address = "127.0.0.1";   ///< the address to bind
    unsigned short port = 0;             ///< 0: an ephemeral port (see Server::port())
    int threads = 4;                     ///< io threads (the engine serialises its calls anyway)
    std::size_t body_limit = 1 << 20;    ///< larger request bodies get 413 (1 MiB)
    std::size_t header_limit = 16 << 10; ///< larger request heads get 431 (16 KiB)
    int idle_timeout_s = 30;             ///< a connection silent this long is closed
};

/// Listens on construction; serves once start() is called. Every
/// connection is kept alive as HTTP/1.1 allows; requests on one connection
/// are answered in order, connections in parallel on the pool.
class Server {
public:
    /// Binds and listens; throws boost::system::system_error on failure.
    Server(App& app, ServerOptions options);
    ~Server();  ///< stop() and join
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// The bound port (the ephemeral one when asked for port 0).
    unsigned short port() const;
    /// Starts the pool's threads (returns at once).
    void start();
    /// Also stops on SIGINT or SIGTERM; call before start().
    void stop_on_signals();
    /// Stops accepting and serving; running requests finish first.
    void stop();
    /// Blocks until the pool's threads have ended (after stop() or a signal).
    void wait();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace crm_http
