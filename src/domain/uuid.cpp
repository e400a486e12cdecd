#include "domain/uuid.hpp"

#include <array>
#include <cstdint>
#include <random>

#include <unistd.h>

namespace crm::domain {

std::string new_uuid_v4() {
    // One generator per thread, seeded from the OS; no lock on the hot path.
    // Seeded again in a forked child: otherwise parent and children (and
    // each child forked from the same state) would hand out the same uuids.
    auto seeded = [] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    };
    thread_local std::mt19937_64 gen = seeded();
    thread_local pid_t seeded_in = ::getpid();
    if (const pid_t pid = ::getpid(); pid != seeded_in) {
        gen = seeded();
        seeded_in = pid;
    }
    std::array<std::uint8_t, 16> b;
    std::uint64_t hi = gen(), lo = gen();
    for (int i = 0; i < 8; ++i) {
        b[i] = static_cast<std::uint8_t>(hi >> (8 * i));
        b[8 + i] = static_cast<std::uint8_t>(lo >> (8 * i));
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 0x0F];
    }
    return out;
}

bool is_uuid(std::string_view s) noexcept {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace crm::domain
