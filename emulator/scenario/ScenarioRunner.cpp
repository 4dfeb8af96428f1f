#include "ScenarioRunner.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ContextSwitchDetector.h"
#include "Errors.h"
#include "Format.h"
#include "HostInterrupt.h"
#include "Machine.h"
#include "StackGuard.h"

namespace cmsim::scenario {

namespace {

std::string at(const Scenario& s, SourcePos pos) {
    return fmt::format("{}:{}:{}", s.file, pos.line, pos.column);
}

std::string runLimitText(const RunLimit& run) {
    if (run.duration) return "for " + formatDurationExact(*run.duration);
    return fmt::format("for {} cycles", *run.cycles);
}

const char* diagnosticKind(DiagnosticKind k) {
    switch (k) {
        case DiagnosticKind::FirmwareMistake:
            return "firmware";
        case DiagnosticKind::ModelGap:
            return "not modelled";
        case DiagnosticKind::Note:
            return "note";
    }
    return "note";
}

}  // namespace

PreparedScenario prepareScenario(Scenario scenario) {
    std::optional<ElfImage> image;
    try {
        image.emplace(ElfImage::load(scenario.firmware));
    } catch (const InputError& e) {
        throw InputError(
            fmt::format("{}: firmware: {}", at(scenario, scenario.firmwarePos), e.what()));
    }
    for (const auto& [name, pos] : referencedSymbols(scenario)) {
        if (!image->symbols().byName(name)) {
            throw InputError(fmt::format("{}: no symbol '{}' in {}", at(scenario, pos), name,
                                         scenario.firmware.filename().string()));
        }
    }
    std::vector<StackRegion> stacks;
    for (const auto& st : scenario.stacks) {
        std::string error;
        auto region = resolveStack(st.spec, image->symbols(), &error);
        if (!region) {
            throw InputError(fmt::format("{}: stack '{}': {} in {}", at(scenario, st.pos),
                                         st.spec.name, error,
                                         scenario.firmware.filename().string()));
        }
        stacks.push_back(std::move(*region));
    }
    return PreparedScenario{std::move(scenario), std::move(*image), std::move(stacks)};
}

std::size_t ScenarioResult::passed() const {
    return static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(), [](const auto& r) { return r.passed; }));
}

std::size_t ScenarioResult::failed() const {
    return results.size() - passed();
}

ScenarioResult runScenario(const PreparedScenario& prepared, const InterruptPoll& interrupted) {
    const Scenario& s = prepared.scenario;
    ScenarioResult result;
    if (interrupted) {
        if (const int signal = interrupted()) {
            result.interrupted =
                fmt::format("interrupted by {} before it started", HostInterrupt::name(signal));
            return result;
        }
    }
    try {
        MachineOptions options;
        options.strict = s.run.strict;
        Machine machine(*s.board, options);
        machine.core().setStopOnFault(s.run.stopOnFault);
        machine.load(prepared.image);
        // Symbols in sequences are recorded every time they are reached; the others only
        // the first time (their watch is then removed).
        std::vector<std::string> everyHit, firstHit;
        for (const auto& x : s.expectations) {
            if (const auto* seq = std::get_if<SequenceExpectation>(&x.spec)) {
                for (const auto& e : seq->events) {
                    if (e.kind == SequenceEvent::Kind::Reaches) everyHit.push_back(e.symbol);
                }
            }
        }
        for (const auto& [name, pos] : referencedSymbols(s)) firstHit.push_back(name);
        RunRecorder recorder(machine, everyHit, firstHit);
        // The stack guard needs the running task; the detector listens first.
        const ContextSwitchDetector tasks(machine.signals(), machine.symbols());
        const auto guard = guardStacks(machine, tasks, prepared.image, prepared.stacks);
        if (interrupted) machine.stopOnInterrupt(Cycles{1} << 24, interrupted);
        machine.powerOnReset();
        recorder.start();
        const CoreStop stop =
            s.run.cycles ? machine.run(*s.run.cycles) : machine.runUntilTime(*s.run.duration);
        result.record = recorder.finish(stop);
        if (stop.reason == CoreStop::Reason::Interrupted) {
            result.interrupted = fmt::format("{} at {} s simulated", stop.message,
                                             formatSeconds(result.record.endTime));
            return result;
        }
    } catch (const InputError& e) {
        result.inputError = fmt::format("{}: firmware: {}", at(s, s.firmwarePos), e.what());
        return result;
    }
    for (const auto& x : s.expectations)
        result.results.push_back(evaluate(x, result.record, s.board->chip));
    return result;
}

std::vector<ScenarioResult> runScenarios(
    const std::vector<PreparedScenario>& scenarios, unsigned jobs,
    const std::function<void(std::size_t, const ScenarioResult&)>& done,
    const InterruptPoll& interrupted) {
    const std::size_t n = scenarios.size();
    std::vector<std::optional<ScenarioResult>> slots(n);
    std::vector<std::exception_ptr> errors(n);
    std::mutex mutex;
    std::condition_variable ready;
    std::atomic<std::size_t> next{0};

    auto worker = [&] {
        for (std::size_t i = next++; i < n; i = next++) {
            std::optional<ScenarioResult> r;
            std::exception_ptr error;
            try {
                r = runScenario(scenarios[i], interrupted);
            } catch (...) {
                error = std::current_exception();
            }
            {
                std::lock_guard lock(mutex);
                slots[i] = std::move(r);
                errors[i] = error;
                if (!slots[i] && !errors[i])
                    errors[i] = std::make_exception_ptr(std::logic_error("no result"));
            }
            ready.notify_all();
        }
    };

    const unsigned threads = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, jobs), n));
    std::vector<std::thread> pool;
    // One job: run on the calling thread (no thread at all).
    if (threads > 1) {
        for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    }

    std::vector<ScenarioResult> results;
    results.reserve(n);
    std::exception_ptr firstError;
    for (std::size_t i = 0; i < n; ++i) {
        if (threads <= 1) {
            results.push_back(runScenario(scenarios[i], interrupted));
        } else {
            std::unique_lock lock(mutex);
            ready.wait(lock, [&] { return slots[i].has_value() || errors[i] != nullptr; });
            if (errors[i]) {
                firstError = errors[i];
                // Let the workers finish what they started; no new callbacks.
                next = n;
                break;
            }
            results.push_back(std::move(*slots[i]));
        }
        if (done) done(i, results.back());
    }
    for (auto& t : pool) t.join();
    if (firstError) std::rethrow_exception(firstError);
    return results;
}

std::string describeExpectation(const Expectation& x, const ChipDescription& chip) {
    // The label depends on the expectation only, never on the record.
    return evaluate(x, RunRecord{}, chip).label;
}

std::string formatScenarioResult(const Scenario& s, const ScenarioResult& result) {
    if (result.interrupted) {
        return fmt::format("INTERRUPTED {}: {}\n  {}; expectations not evaluated\n", s.file, s.name,
                           *result.interrupted);
    }
    std::string out = fmt::format("{} {}: {}\n", result.ok() ? "PASS" : "FAIL", s.file, s.name);
    if (result.inputError) {
        out += fmt::format("  error: {}\n", *result.inputError);
        return out;
    }
    const RunRecord& r = result.record;
    out += fmt::format("  {} on {} {}: {} s simulated, {} cycles, SYSCLK {}, HCLK {}\n",
                       s.firmware.filename().string(), s.board->fullName, runLimitText(s.run),
                       formatSeconds(r.endTime), r.endCycle, formatHz(r.sysclkHz()),
                       formatHz(r.hclkHz()));
    for (const auto& d : r.diagnostics) {
        out += fmt::format("  {}: {}: {}{}\n", diagnosticKind(d.kind), d.source, d.message,
                           d.location.empty() ? "" : " [" + d.location + "]");
    }
    for (const auto& x : result.results) {
        out += "  " + x.line() + "\n";
        for (const auto& d : x.details) out += "      " + d + "\n";
    }
    return out;
}

std::string formatScenarioList(const Scenario& s) {
    std::string out =
        fmt::format("{}: {}\n  {} on {} {}\n", s.file, s.name, s.firmware.filename().string(),
                    s.board->fullName, runLimitText(s.run));
    for (const auto& x : s.expectations) {
        out += fmt::format("  line {}: {}\n", x.pos.line, describeExpectation(x, s.board->chip));
    }
    return out;
}

std::string formatSummary(const std::vector<ScenarioResult>& results) {
    std::size_t passed = 0, failed = 0, interrupted = 0;
    for (const auto& r : results) {
        passed += r.passed();
        failed += r.failed() + (r.inputError ? 1 : 0);
        interrupted += r.interrupted ? 1 : 0;
    }
    if (interrupted > 0) {
        return fmt::format("{} passed, {} failed, {} scenario{} interrupted", passed, failed,
                           interrupted, interrupted == 1 ? "" : "s");
    }
    return fmt::format("{} passed, {} failed", passed, failed);
}

}  // namespace cmsim::scenario
