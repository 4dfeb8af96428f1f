#pragma once
// The boards cmsim knows, by id (--board f407, --board h723).
#include <span>
#include <string_view>
#include <vector>

#include "../ChipDescription.h"

namespace cmsim {

const ChipDescription& stm32f407Chip();
const BoardDescription& stm32f407DiscoveryBoard();
const ChipDescription& stm32h723Chip();
const BoardDescription& nucleoH723zgBoard();

// nullptr when unknown.
const BoardDescription* findBoard(std::string_view id);
std::vector<std::string_view> boardIds();

}  // namespace cmsim
