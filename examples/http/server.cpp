// Boost.Beast over Asio: one acceptor, one strand per connection, a pool of
// threads running the io_context. Each request is handed to App::handle()
// on its connection's strand (the engine serialises its own calls).
#include "server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

namespace crm_http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

// After refusing a request whose body is still arriving (413) or which is
// malformed (400), the connection is closed only once the client has
// stopped sending, up to this much and this long: closing a socket with
// unread data makes the kernel send a reset, and the client would lose
// the response.
constexpr std::size_t kDrainLimit = 64u << 20;
constexpr auto kDrainTime = std::chrono::seconds(5);

bool is_http_error(const beast::error_code& ec) {
    return ec.category() == beast::http::make_error_code(beast::http::error::bad_target).category();
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& socket, App& app, const ServerOptions& options)
        : stream_(std::move(socket)), app_(app), options_(options) {}

    void run() {
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this()));
    }

private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(options_.body_limit);
        parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
        stream_.expires_after(std::chrono::seconds(options_.idle_timeout_s));
        http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream) return close();
        const unsigned version = parser_->is_header_done() ? parser_->get().version() : 11;
        if (ec == http::error::body_limit)
            return refuse(version, http::status::payload_too_large, "payload_too_large",
                          "the request body exceeds the limit of " + std::to_string(options_.body_limit) + " bytes");
        if (ec == http::error::header_limit)
            return refuse(version, http::status::request_header_fields_too_large, "header_too_large",
                          "the request head exceeds the limit of " + std::to_string(options_.header_limit) + " bytes");
        if (ec && is_http_error(ec)) return refuse(version, http::status::bad_request, "bad_request", "malformed HTTP request");
        if (ec) return;  // timeout, reset, ...: the socket closes with the session

        Response res = app_.handle(parser_->get());
        const bool keep = res.keep_alive();
        write(std::move(res), keep ? After::read : After::close);
    }

    enum class After { read, close, drain };

    void refuse(unsigned version, http::status status, std::string_view code, const std::string& message) {
        write(error_response(version, false, status, code, message), After::drain);
    }

    void write(Response&& res, After after) {
        res_.emplace(std::move(res));
        stream_.expires_after(std::chrono::seconds(options_.idle_timeout_s));
        http::async_write(stream_, *res_, beast::bind_front_handler(&Session::on_write, shared_from_this(), after));
    }

    void on_write(After after, beast::error_code ec, std::size_t) {
        res_.reset();
        if (ec) return;
        switch (after) {
            case After::read: return do_read();
            case After::close: return close();
            case After::drain: {
                beast::error_code ignored;
                stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                stream_.expires_after(kDrainTime);
                return drain();
            }
        }
    }

    void drain() {
        stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->drained_ += n;
            if (!ec && self->drained_ < kDrainLimit) self->drain();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    App& app_;
    const ServerOptions& options_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<Response> res_;
    std::array<char, 8192> scratch_{};
    std::size_t drained_ = 0;
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(net::io_context& ioc, const tcp::endpoint& endpoint, App& app, const ServerOptions& options)
        : ioc_(ioc), acceptor_(net::make_strand(ioc)), retry_(acceptor_.get_executor()), app_(app), options_(options) {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
    }

    unsigned short port() const { return acceptor_.local_endpoint().port(); }

    void run() { do_accept(); }

private:
    void do_accept() {
        acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted) return;
        if (ec) {
            // Out of descriptors, or the like: wait a little, then go on.
            retry_.expires_after(std::chrono::milliseconds(50));
            retry_.async_wait([self = shared_from_this()](beast::error_code e) {
                if (!e) self->do_accept();
            });
            return;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(socket), app_, options_)->run();
        do_accept();
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_;
    App& app_;
    const ServerOptions& options_;
};

}  // namespace

struct Server::Impl {
    ServerOptions options;
    net::io_context ioc;
    std::shared_ptr<Listener> listener;
    std::optional<net::signal_set> signals;
    std::vector<std::thread> threads;

    Impl(App& app, ServerOptions o) : options(std::move(o)), ioc(options.threads > 0 ? options.threads : 1) {
        const tcp::endpoint endpoint{net::ip::make_address(options.address), options.port};
        listener = std::make_shared<Listener>(ioc, endpoint, app, options);
    }
};

Server::Server(App& app, ServerOptions options) : impl_(std::make_unique<Impl>(app, std::move(options))) {}

Server::~Server() {
    stop();
    wait();
}

unsigned short Server::port() const { return impl_->listener->port(); }

void Server::stop_on_signals() {
    impl_->signals.emplace(impl_->ioc, SIGINT, SIGTERM);
    impl_->signals->async_wait([this](beast::error_code ec, int) {
        if (!ec) stop();
    });
}

void Server::start() {
    impl_->listener->run();
    const int n = impl_->options.threads > 0 ? impl_->options.threads : 1;
    for (int i = 0; i < n; ++i)
        impl_->threads.emplace_back([this] {
            for (;;) {
                try {
                    impl_->ioc.run();
                    return;
                } catch (const std::exception& e) {
                    // A handler let something escape: log it and keep serving.
                    std::cerr << "crm-http: " << e.what() << std::endl;
                }
            }
        });
}

void Server::stop() { impl_->ioc.stop(); }

void Server::wait() {
    for (auto& t : impl_->threads)
        if (t.joinable()) t.join();
    impl_->threads.clear();
}

}  // namespace crm_http
