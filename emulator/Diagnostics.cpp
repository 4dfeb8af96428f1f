#include "Diagnostics.h"

#include <algorithm>

namespace cmsim {

void Diagnostics::emit(DiagnosticKind kind, std::string_view source, std::string message) {
    Diagnostic d{kind, std::string(source), std::move(message), location_ ? location_() : ""};
    for (auto& s : sinks_) s(d);
    all_.push_back(std::move(d));
}

void Diagnostics::firmwareMistake(std::string_view source, std::string message) {
    emit(DiagnosticKind::FirmwareMistake, source, std::move(message));
}
void Diagnostics::modelGap(std::string_view source, std::string message) {
    emit(DiagnosticKind::ModelGap, source, std::move(message));
}
void Diagnostics::note(std::string_view source, std::string message) {
    emit(DiagnosticKind::Note, source, std::move(message));
}

void Diagnostics::firmwareMistakeOnce(std::string_view key, std::string_view source,
                                      std::string message) {
    if (seen_.insert(std::string(key)).second) firmwareMistake(source, std::move(message));
}
void Diagnostics::modelGapOnce(std::string_view key, std::string_view source, std::string message) {
    if (seen_.insert(std::string(key)).second) modelGap(source, std::move(message));
}

std::size_t Diagnostics::count(DiagnosticKind kind) const {
    return static_cast<std::size_t>(
        std::count_if(all_.begin(), all_.end(), [&](const Diagnostic& d) { return d.kind == kind; }));
}

}  // namespace cmsim
