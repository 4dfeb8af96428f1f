#include "Boards.h"

#include <array>

namespace cmsim {

namespace {
using BoardFn = const BoardDescription& (*)();
constexpr std::array<BoardFn, 2> kBoards = {&stm32f407DiscoveryBoard, &nucleoH723zgBoard};
}  // namespace

const BoardDescription* findBoard(std::string_view id) {
    for (auto fn : kBoards) {
        const BoardDescription& b = fn();
        if (b.id == id) return &b;
    }
    return nullptr;
}

std::vector<std::string_view> boardIds() {
    std::vector<std::string_view> ids;
    for (auto fn : kBoards) ids.push_back(fn().id);
    return ids;
}

}  // namespace cmsim
