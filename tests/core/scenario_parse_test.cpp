// Scenario files (emulator/scenario/ScenarioFile.h): what a well-formed file becomes, and
// for every kind of mistake the exact one-line message with file:line:column.
#include <gtest/gtest.h>

#include <string>

#include "Errors.h"
#include "Nvic.h"
#include "boards/Boards.h"
#include "scenario/ScenarioFile.h"

namespace cmsim::scenario {
namespace {

constexpr Picoseconds kNs = 1'000;
constexpr Picoseconds kUs = 1'000'000;
constexpr Picoseconds kMs = 1'000'000'000;
constexpr Picoseconds kS = 1'000'000'000'000;

ParseOptions options() {
    ParseOptions o;
    o.variable = [](const std::string& name) -> std::optional<std::string> {
        if (name == "FW") return std::string("/opt/fw");
        return std::nullopt;
    };
    return o;
}

Scenario parse(const std::string& text, ParseOptions o = options()) {
    return parseScenarioText(text, "dir/x.yaml", o);
}

std::string parseError(const std::string& text, ParseOptions o = options()) {
    try {
        parse(text, o);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

// A valid head; `expect` is appended.
const std::string kHead =
    "name: test\n"               // line 1
    "firmware: fw/blinky.elf\n"  // line 2
    "board: f407\n"              // line 3
    "run:\n"                     // line 4
    "  for: 4s\n"                // line 5
    "expect:\n";                 // line 6; expectations start on line 7

// --- a well-formed file --------------------------------------------------------------------

TEST(ScenarioParse, FullScenario) {
    const Scenario s = parse(
        "name: blinky periods\n"
        "description: four LEDs\n"
        "firmware: ${FW}/f407/blinky.elf\n"
        "board: f407\n"
        "run:\n"
        "  for: 1.5 s\n"
        "  strict: true\n"
        "expect:\n"
        "  - toggles:\n"
        "      led: orange\n"
        "      interval: 500ms ± 1ms\n"
        "      skip: 1\n"
        "      count: 8\n"
        "      first: 0.3ms +- 10us\n"
        "      from: 0\n"
        "      until: 4s\n"
        "  - stays: {pin: PD12, level: low, from: 1ms, until: 999ms}\n"
        "  - sequence:\n"
        "      until: 1ms\n"
        "      events:\n"
        "        - falls: green\n"
        "        - exception: IRQ 38\n"
        "        - reaches: main\n"
        "  - reaches: {symbol: main, by: 1ms}\n"
        "  - never_reaches: [Default_Handler, HardFault_Handler]\n"
        "  - exception: {name: PendSV, first: 0.2971875ms ± 1us, count: 3}\n"
        "  - clock: {sysclk: 168MHz, hclk: 84 MHz, by: 0.3ms}\n"
        "  - no_fault: true\n");
    EXPECT_EQ(s.file, "dir/x.yaml");
    EXPECT_EQ(s.name, "blinky periods");
    EXPECT_EQ(s.description, "four LEDs");
    EXPECT_EQ(s.firmware, std::filesystem::path("/opt/fw/f407/blinky.elf"));
    EXPECT_EQ(s.firmwarePos.line, 3);
    EXPECT_EQ(s.firmwarePos.column, 11);
    EXPECT_EQ(s.board, &stm32f407DiscoveryBoard());
    EXPECT_EQ(s.run.duration, 1500 * kMs);
    EXPECT_FALSE(s.run.cycles);
    EXPECT_TRUE(s.run.strict);
    ASSERT_EQ(s.expectations.size(), 9u);  // never_reaches with two symbols is two

    const auto& t = std::get<TogglesExpectation>(s.expectations[0].spec);
    EXPECT_EQ(s.expectations[0].pos.line, 9);
    EXPECT_EQ(s.expectations[0].pos.column, 5);
    EXPECT_EQ(t.pin.port, 'D');
    EXPECT_EQ(t.pin.pin, 13);
    ASSERT_NE(t.pin.led, nullptr);
    EXPECT_EQ(t.pin.led->name, "LD3");
    EXPECT_EQ(t.interval->value, 500 * kMs);
    EXPECT_EQ(t.interval->tolerance, 1 * kMs);
    EXPECT_EQ(t.skip, 1u);
    EXPECT_EQ(t.count, 8u);
    EXPECT_EQ(t.first->value, 300 * kUs);
    EXPECT_EQ(t.first->tolerance, 10 * kUs);
    EXPECT_EQ(t.window.from, Picoseconds{0});
    EXPECT_EQ(t.window.until, 4 * kS);

    const auto& st = std::get<StaysExpectation>(s.expectations[1].spec);
    EXPECT_EQ(st.pin.pin, 12);
    EXPECT_FALSE(st.level);
    EXPECT_EQ(st.window.from, 1 * kMs);
    EXPECT_EQ(st.window.until, 999 * kMs);

    const auto& seq = std::get<SequenceExpectation>(s.expectations[2].spec);
    EXPECT_FALSE(seq.window.from);
    EXPECT_EQ(seq.window.until, 1 * kMs);
    ASSERT_EQ(seq.events.size(), 3u);
    EXPECT_EQ(seq.events[0].kind, SequenceEvent::Kind::Falls);
    EXPECT_EQ(seq.events[0].pin.pin, 12);
    EXPECT_EQ(seq.events[1].kind, SequenceEvent::Kind::Exception);
    EXPECT_EQ(seq.events[1].exception, exc::kFirstIrq + 38);
    EXPECT_EQ(seq.events[2].kind, SequenceEvent::Kind::Reaches);
    EXPECT_EQ(seq.events[2].symbol, "main");
    EXPECT_EQ(seq.events[2].pos.line, 23);
    EXPECT_EQ(seq.events[2].pos.column, 20);

    const auto& re = std::get<ReachesExpectation>(s.expectations[3].spec);
    EXPECT_EQ(re.symbol, "main");
    EXPECT_EQ(re.by, 1 * kMs);
    EXPECT_EQ(std::get<NeverReachesExpectation>(s.expectations[4].spec).symbol, "Default_Handler");
    const auto& never2 = std::get<NeverReachesExpectation>(s.expectations[5].spec);
    EXPECT_EQ(never2.symbol, "HardFault_Handler");
    EXPECT_EQ(never2.symbolPos.line, 25);
    EXPECT_EQ(never2.symbolPos.column, 38);

    const auto& ex = std::get<ExceptionExpectation>(s.expectations[6].spec);
    EXPECT_EQ(ex.number, exc::kPendSv);
    EXPECT_EQ(ex.first->value, 297'187'500u);
    EXPECT_EQ(ex.first->tolerance, 1 * kUs);
    EXPECT_EQ(ex.count, 3u);

    const auto& ck = std::get<ClockExpectation>(s.expectations[7].spec);
    EXPECT_EQ(ck.sysclkHz, 168'000'000u);
    EXPECT_EQ(ck.hclkHz, 84'000'000u);
    EXPECT_EQ(ck.by, 300 * kUs);

    EXPECT_TRUE(std::holds_alternative<NoFaultExpectation>(s.expectations[8].spec));
    EXPECT_FALSE(s.expectations[8].implied);

    const auto symbols = referencedSymbols(s);
    ASSERT_EQ(symbols.size(), 3u);
    EXPECT_EQ(symbols[0].first, "main");
    EXPECT_EQ(symbols[0].second.line, 23);  // first mention: the sequence
    EXPECT_EQ(symbols[1].first, "Default_Handler");
    EXPECT_EQ(symbols[2].first, "HardFault_Handler");
}

TEST(ScenarioParse, RelativeFirmwareIsRelativeToTheScenarioFile) {
    EXPECT_EQ(parse(kHead + "  - no_fault: true\n").firmware,
              std::filesystem::path("dir/fw/blinky.elf"));
    EXPECT_EQ(parseScenarioText(kHead + "  - no_fault: true\n", "x.yaml", options()).firmware,
              std::filesystem::path("fw/blinky.elf"));
}

TEST(ScenarioParse, FirmwareOverrideReplacesThePathWithoutExpansion) {
    ParseOptions o = options();
    o.firmwareOverride = "other.elf";
    const std::string text =
        "name: t\nfirmware: ${UNSET}/blinky.elf\nboard: f407\nrun: {cycles: 1000}\nexpect:\n  - "
        "no_fault: true\n";
    const Scenario s = parse(text, o);
    EXPECT_EQ(s.firmware, std::filesystem::path("other.elf"));
    EXPECT_EQ(s.run.cycles, 1000u);
    EXPECT_FALSE(s.run.duration);
}

TEST(ScenarioParse, RunOptions) {
    const Scenario s = parse(
        "name: t\nfirmware: f.elf\nboard: f407\nrun: {for: 10ms, strict: false, stop_on_fault: true}\n"
        "expect: [no_fault: true]\n");
    EXPECT_EQ(s.run.duration, 10 * kMs);
    EXPECT_FALSE(s.run.strict);
    EXPECT_TRUE(s.run.stopOnFault);
    EXPECT_EQ(parseError("name: t\nfirmware: f.elf\nboard: f407\nrun: {for: 10ms, stop_on_falt: true}\n"
                         "expect: [no_fault: true]\n"),
              "dir/x.yaml:4:18: unknown key 'stop_on_falt' in 'run' (did you mean 'stop_on_fault'?); expected for, "
              "cycles, strict, stop_on_fault");
    EXPECT_EQ(parseError("name: t\nfirmware: f.elf\nboard: f407\nrun: {for: 10ms, strict: yes}\n"
                         "expect: [no_fault: true]\n"),
              "dir/x.yaml:4:26: 'strict' must be true or false, not 'yes'");
}

TEST(ScenarioParse, StacksAndStackExpectations) {
    const std::string head = "name: t\nfirmware: f.elf\nboard: f407\nrun: {for: 10ms}\n";
    const Scenario s = parse(head +
                             "stacks:\n  red: g_red_stack\n  boot: 0x20001000:0x400\n"
                             "expect:\n  - stack_overflow: {task: red}\n  - no_fault: true\n");
    ASSERT_EQ(s.stacks.size(), 2u);
    EXPECT_EQ(s.stacks[0].spec.name, "red");
    EXPECT_EQ(s.stacks[0].spec.where, "g_red_stack");
    EXPECT_EQ(s.stacks[0].pos.line, 6);
    EXPECT_EQ(s.stacks[0].pos.column, 8);
    EXPECT_EQ(s.stacks[1].spec.size, 0x400u);
    const auto* x = std::get_if<StackOverflowExpectation>(&s.expectations[0].spec);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->task, "red");
    EXPECT_TRUE(std::holds_alternative<StackOkExpectation>(
        parse(head + "expect:\n  - stack_ok: true\n").expectations[0].spec));
    EXPECT_FALSE(std::get<StackOverflowExpectation>(
                     parse(head + "expect:\n  - stack_overflow: true\n").expectations[0].spec)
                     .task);

    EXPECT_EQ(parseError(head + "stacks:\n  boot: 0x20001000\nexpect: [stack_ok: true]\n"),
              "dir/x.yaml:6:9: stack 'boot': '0x20001000' is an address: give its size, "
              "ADDRESS:SIZE");
    EXPECT_EQ(parseError(head + "stacks: [red]\nexpect: [stack_ok: true]\n"),
              "dir/x.yaml:5:9: 'stacks' must be a mapping of task names to SYMBOL[:SIZE] or "
              "ADDRESS:SIZE (e.g. red: g_red_stack), not a list");
    EXPECT_EQ(parseError(head + "expect:\n  - stack_ok: true\n  - stack_overflow: true\n"),
              "dir/x.yaml:7:5: 'stack_ok' and 'stack_overflow' contradict each other");
    EXPECT_EQ(parseError(head + "expect:\n  - stack_ok: false\n"),
              "dir/x.yaml:6:15: 'stack_ok: false' is not an expectation: expect the overflow "
              "with 'stack_overflow: true' or 'stack_overflow: {task: NAME}'");
    EXPECT_EQ(parseError(head + "expect:\n  - stack_overflow: {tsk: red}\n"),
              "dir/x.yaml:6:22: unknown key 'tsk' in stack_overflow expectation (did you mean "
              "'task'?); expected task");
}

TEST(ScenarioParse, NeitherNoFaultNorFaultImpliesNoFault) {
    const Scenario s = parse(kHead + "  - reaches: main\n");
    ASSERT_EQ(s.expectations.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<NoFaultExpectation>(s.expectations[1].spec));
    EXPECT_TRUE(s.expectations[1].implied);
}

TEST(ScenarioParse, FaultExpectationTakesTheText) {
    const Scenario s = parse(kHead + "  - fault: \"BusFault: read of address 0x60000000\"\n");
    ASSERT_EQ(s.expectations.size(), 1u);  // no implied no_fault
    EXPECT_EQ(std::get<FaultExpectation>(s.expectations[0].spec).contains,
              "BusFault: read of address 0x60000000");
}

TEST(ScenarioParse, FaultMappingNamesExceptionRegistersAddressAndPc) {
    const Scenario s = parse(kHead +
                             "  - fault:\n"
                             "      exception: BusFault\n"
                             "      taken: HardFault\n"
                             "      cfsr: PRECISERR BFARVALID\n"
                             "      hfsr: [FORCED]\n"
                             "      address: 0x60000000\n"
                             "      pc: main+0x16\n"
                             "      message: read at\n");
    const auto& f = std::get<FaultExpectation>(s.expectations.at(0).spec);
    EXPECT_EQ(f.exception, 5u);
    EXPECT_EQ(f.taken, 3u);
    EXPECT_EQ(f.cfsr, 0x00008200u);
    EXPECT_EQ(f.hfsr, 0x40000000u);
    EXPECT_EQ(f.address, 0x60000000u);
    EXPECT_EQ(f.pcSymbol, "main+0x16");
    EXPECT_FALSE(f.pcAddress);
    EXPECT_EQ(f.contains, "read at");
    // The symbol is checked against the ELF like any other (without its offset).
    ASSERT_EQ(referencedSymbols(s).size(), 1u);
    EXPECT_EQ(referencedSymbols(s)[0].first, "main");
    EXPECT_EQ(referencedSymbols(s)[0].second.line, 13);

    const Scenario flow = parse(kHead + "  - fault: {cfsr: 0x00020000, hfsr: none, pc: 0}\n");
    const auto& g = std::get<FaultExpectation>(flow.expectations.at(0).spec);
    EXPECT_EQ(g.cfsr, 0x00020000u);
    EXPECT_EQ(g.hfsr, 0u);
    EXPECT_EQ(g.pcAddress, 0u);
}

TEST(ScenarioParseError, FaultMappingErrors) {
    EXPECT_EQ(
        parseError(kHead + "  - fault:\n      cfsr: INVSTATE UNDEFINSTRR\n"),
        "dir/x.yaml:8:13: unknown CFSR bit 'UNDEFINSTRR': expected a value such as 0x00020000 "
        "or bit names as the fault report prints them, e.g. INVSTATE");
    EXPECT_EQ(parseError(kHead + "  - fault:\n      address: 0x1000000000\n"),
              "dir/x.yaml:8:16: 'address' must be a 32-bit address such as 0x60000000, not "
              "'0x1000000000'");
    EXPECT_EQ(parseError(kHead + "  - fault:\n      pc: main+22x\n"),
              "dir/x.yaml:8:11: bad offset in 'pc: main+22x': expected a symbol and a hex offset "
              "such as main+0x16");
    EXPECT_EQ(
        parseError(kHead + "  - fault:\n      hfrs: FORCED\n"),
        "dir/x.yaml:8:7: unknown key 'hfrs' in fault expectation (did you mean 'hfsr'?); expected "
        "message, exception, taken, cfsr, hfsr, address, pc");
    EXPECT_EQ(parseError(kHead + "  - fault: {}\n"),
              "dir/x.yaml:7:12: fault expectation needs at least one of message, exception, taken, "
              "cfsr, hfsr, address and pc");
}

TEST(ScenarioParse, OnAndOffFollowTheLedsActiveLevel) {
    const Scenario s =
        parse(kHead + "  - stays: {led: LD4, level: on}\n  - stays: {led: blue, level: off}\n");
    EXPECT_TRUE(std::get<StaysExpectation>(s.expectations[0].spec).level);
    EXPECT_FALSE(std::get<StaysExpectation>(s.expectations[1].spec).level);
}

// --- errors: exact message, line and column -----------------------------------------------

TEST(ScenarioParseError, UnknownKeyWithSuggestion) {
    EXPECT_EQ(
        parseError(kHead + "  - toggles:\n"
                           "      pin: PD13\n"
                           "      intreval: 500ms ± 1ms\n"),
        "dir/x.yaml:9:7: unknown key 'intreval' in toggles expectation (did you mean 'interval'?); "
        "expected pin, led, interval, skip, count, first, from, until");
}

TEST(ScenarioParseError, UnknownTopLevelKeyWithoutSuggestion) {
    EXPECT_EQ(
        parseError(
            "name: t\nfirmware: f.elf\nboard: f407\nrun: {for: 1s}\nexpect: [no_fault: true]\n"
            "timeout: 3\n"),
        "dir/x.yaml:6:1: unknown key 'timeout' in the scenario; expected name, description, "
        "firmware, "
        "board, run, stacks, expect");
}

TEST(ScenarioParseError, WrongTypeForAnInterval) {
    EXPECT_EQ(
        parseError(kHead + "  - toggles:\n      pin: PD13\n      interval: [1]\n"),
        "dir/x.yaml:9:17: 'interval' must be a time and an optional tolerance, e.g. 500ms ± 1ms or "
        "500ms +- 1ms, not a list");
}

TEST(ScenarioParseError, MissingFirmware) {
    EXPECT_EQ(parseError("name: t\nboard: f407\nrun: {for: 1s}\nexpect:\n  - no_fault: true\n"),
              "dir/x.yaml:1:1: missing 'firmware' in the scenario");
}

TEST(ScenarioParseError, MissingExpect) {
    EXPECT_EQ(parseError("name: t\nfirmware: f.elf\nboard: f407\nrun: {for: 1s}\n"),
              "dir/x.yaml:1:1: missing 'expect' in the scenario");
}

TEST(ScenarioParseError, EmptyExpectList) {
    EXPECT_EQ(parseError("name: t\nfirmware: f.elf\nboard: f407\nrun: {for: 1s}\nexpect: []\n"),
              "dir/x.yaml:5:9: 'expect' is empty: a scenario needs at least one expectation");
}

TEST(ScenarioParseError, BadDuration) {
    EXPECT_EQ(parseError("name: t\nfirmware: f.elf\nboard: f407\nrun:\n  for: 5 parsecs\nexpect:\n "
                         " - no_fault: true\n"),
              "dir/x.yaml:5:8: bad duration '5 parsecs' for 'for': expected a number and a unit "
              "(ns, us, ms or "
              "s), e.g. 250ms");
}

TEST(ScenarioParseError, DurationWithoutUnit) {
    EXPECT_EQ(parseError(kHead + "  - reaches: {symbol: main, by: 5}\n"),
              "dir/x.yaml:7:33: bad duration '5' for 'by': expected a number and a unit (ns, us, "
              "ms or s), e.g. "
              "250ms");
}

TEST(ScenarioParseError, BadTolerance) {
    EXPECT_EQ(parseError(kHead + "  - toggles: {pin: PD13, interval: 500ms ± lots}\n"),
              "dir/x.yaml:7:36: bad duration '500ms ± lots' for 'interval': expected a time and an "
              "optional "
              "tolerance, e.g. 500ms ± 1ms or 500ms +- 1ms");
}

TEST(ScenarioParseError, BadFrequency) {
    EXPECT_EQ(parseError(kHead + "  - clock:\n      sysclk: 168 Mhz\n"),
              "dir/x.yaml:8:15: bad frequency '168 Mhz' for 'sysclk': expected a frequency in Hz, "
              "kHz or MHz, "
              "e.g. 168MHz or 16 MHz");
}

TEST(ScenarioParseError, FrequencyThatIsNotAWholeNumberOfHertz) {
    EXPECT_EQ(parseError(kHead + "  - clock: {hclk: 1.5 Hz}\n"),
              "dir/x.yaml:7:19: bad frequency '1.5 Hz' for 'hclk': expected a frequency in Hz, kHz "
              "or MHz, e.g. "
              "168MHz or 16 MHz");
}

TEST(ScenarioParseError, UnknownExpectationKind) {
    EXPECT_EQ(parseError(kHead + "  - toggle:\n      pin: PD13\n"),
              "dir/x.yaml:7:5: unknown expectation 'toggle' (did you mean 'toggles'?); expected "
              "one of toggles, "
              "stays, sequence, reaches, never_reaches, exception, clock, no_fault, fault, "
              "stack_ok, stack_overflow");
}

TEST(ScenarioParseError, EmptyFile) {
    EXPECT_EQ(parseError(""), "dir/x.yaml:1:1: empty scenario file");
    EXPECT_EQ(parseError("# only a comment\n\n"), "dir/x.yaml:1:1: empty scenario file");
}

TEST(ScenarioParseError, NotAMapping) {
    EXPECT_EQ(parseError("- toggles: {}\n- no_fault: true\n"),
              "dir/x.yaml:1:1: a scenario must be a mapping with name, firmware, board, run and "
              "expect, not a "
              "list");
    EXPECT_EQ(parseError("just text\n"),
              "dir/x.yaml:1:1: a scenario must be a mapping with name, firmware, board, run and "
              "expect, not "
              "'just text'");
}

TEST(ScenarioParseError, YamlSyntaxErrorHasItsPosition) {
    EXPECT_EQ(parseError("name: t\nexpect: [no_fault: true\n"),
              "dir/x.yaml:3:1: YAML syntax error: end of sequence flow not found");
    EXPECT_EQ(parseError("name: a: b\n"), "dir/x.yaml:1:8: YAML syntax error: illegal map value");
}

TEST(ScenarioParseError, TwoDocuments) {
    EXPECT_EQ(parseError(kHead + "  - no_fault: true\n---\nname: second\n"),
              "dir/x.yaml:9:1: a second YAML document: a scenario file holds one scenario");
}

TEST(ScenarioParseError, DuplicateKey) {
    EXPECT_EQ(parseError(kHead + "  - toggles:\n      pin: PD13\n      count: 1\n      count: 2\n"),
              "dir/x.yaml:10:7: duplicate key 'count' in toggles expectation (first at line 9)");
}

TEST(ScenarioParseError, UnknownBoard) {
    EXPECT_EQ(
        parseError(
            "name: t\nfirmware: f.elf\nboard: f409\nrun: {for: 1s}\nexpect: [no_fault: true]\n"),
        "dir/x.yaml:3:8: unknown board 'f409' (did you mean 'f407'?); known boards: " + [] {
            std::string s;
            for (auto id : boardIds()) s += (s.empty() ? "" : ", ") + std::string(id);
            return s;
        }());
}

TEST(ScenarioParseError, UnknownPinAndLed) {
    const std::string leds =
        "expected a pin such as PD12 or an LED (LD4 green PD12, LD3 orange PD13, LD5 red PD14, LD6 "
        "blue PD15)";
    EXPECT_EQ(parseError(kHead + "  - toggles: {pin: PD16, count: 1}\n"),
              "dir/x.yaml:7:20: unknown pin or LED 'PD16' on board f407: " + leds);
    EXPECT_EQ(parseError(kHead + "  - toggles: {led: purple, count: 1}\n"),
              "dir/x.yaml:7:20: unknown pin or LED 'purple' on board f407: " + leds);
}

TEST(ScenarioParseError, LedKeyNeedsAnLed) {
    EXPECT_EQ(parseError(kHead + "  - toggles: {led: PA0, count: 1}\n"),
              "dir/x.yaml:7:20: 'PA0' is not an LED of board f407: use 'pin' for a plain pin");
}

TEST(ScenarioParseError, PinAndLedTogether) {
    EXPECT_EQ(parseError(kHead + "  - toggles: {pin: PD12, led: green, count: 1}\n"),
              "dir/x.yaml:7:26: toggles expectation takes 'pin' or 'led', not both");
}

TEST(ScenarioParseError, OnOffNeedAnLed) {
    EXPECT_EQ(parseError(kHead + "  - stays: {pin: PA0, level: on}\n"),
              "dir/x.yaml:7:30: 'on' needs an LED; PA0 is a plain pin: use high or low");
}

TEST(ScenarioParseError, UnknownException) {
    EXPECT_EQ(parseError(kHead + "  - exception: {name: PendSW, count: 1}\n"),
              "dir/x.yaml:7:23: unknown exception 'PendSW': expected NMI, HardFault, MemManage, "
              "BusFault, "
              "UsageFault, SVCall, DebugMonitor, PendSV, SysTick, IRQ n (0..81) or an IRQ name of "
              "STM32F407VG "
              "such as WWDG");
    EXPECT_EQ(parseError(kHead + "  - exception: {name: IRQ 82, count: 1}\n").substr(0, 46),
              "dir/x.yaml:7:23: unknown exception 'IRQ 82': e");
}

TEST(ScenarioParseError, ForAndCyclesTogether) {
    EXPECT_EQ(parseError("name: t\nfirmware: f.elf\nboard: f407\nrun:\n  for: 1s\n  cycles: "
                         "5\nexpect: [no_fault: true]\n"),
              "dir/x.yaml:6:3: 'run' takes 'for' or 'cycles', not both");
}

TEST(ScenarioParseError, ZeroDuration) {
    EXPECT_EQ(
        parseError(
            "name: t\nfirmware: f.elf\nboard: f407\nrun: {for: 0}\nexpect: [no_fault: true]\n"),
        "dir/x.yaml:4:12: 'for' must be a positive duration");
}

TEST(ScenarioParseError, ExpectationWithItsFieldsNotIndented) {
    EXPECT_EQ(parseError(kHead + "  - toggles:\n"
                                 "    pin: PD13\n"),
              "dir/x.yaml:8:5: an expectation has one kind, but this one also has 'pin': is it "
              "indented under "
              "the kind's name?");
}

TEST(ScenarioParseError, ExpectationWithoutFields) {
    EXPECT_EQ(parseError(kHead + "  - toggles:\n"),
              "dir/x.yaml:7:5: toggles expectation must be a mapping, not empty");
    EXPECT_EQ(parseError(kHead + "  - toggles: {pin: PD13}\n"),
              "dir/x.yaml:7:14: toggles expectation needs at least one of 'interval', 'count' and "
              "'first'");
}

TEST(ScenarioParseError, NoFaultFalse) {
    EXPECT_EQ(parseError(kHead + "  - no_fault: false\n"),
              "dir/x.yaml:7:15: 'no_fault: false' is not an expectation: leave it out, or expect "
              "the fault with "
              "'fault: TEXT'");
}

TEST(ScenarioParseError, NoFaultAndFaultContradict) {
    EXPECT_EQ(parseError(kHead + "  - no_fault: true\n  - fault: BusFault\n"),
              "dir/x.yaml:8:5: 'no_fault' and 'fault' contradict each other");
}

TEST(ScenarioParseError, WindowEndsBeforeItStarts) {
    EXPECT_EQ(parseError(kHead + "  - stays: {pin: PD12, level: low, from: 2ms, until: 1ms}\n"),
              "dir/x.yaml:7:54: 'until' (1 ms) is before 'from' (2 ms)");
}

TEST(ScenarioParseError, UnsetVariableInFirmware) {
    EXPECT_EQ(parseError("name: t\nfirmware: ${NOPE}/a.elf\nboard: f407\nrun: {for: 1s}\nexpect: "
                         "[no_fault: true]\n"),
              "dir/x.yaml:2:11: firmware '${NOPE}/a.elf': environment variable NOPE is not set");
}

TEST(ScenarioParseError, CountMustBeAWholeNumber) {
    EXPECT_EQ(parseError(kHead + "  - toggles: {pin: PD13, count: -3}\n"),
              "dir/x.yaml:7:33: 'count' must be a whole number, not '-3'");
}

TEST(ScenarioParseError, SymbolMustBeOneName) {
    EXPECT_EQ(parseError(kHead + "  - reaches: main loop\n"),
              "dir/x.yaml:7:14: 'reaches' must be one symbol name, not 'main loop'");
}

TEST(ScenarioParseError, UnknownSequenceEvent) {
    EXPECT_EQ(parseError(kHead + "  - sequence:\n      events:\n        - rise: PD12\n"),
              "dir/x.yaml:9:11: unknown sequence event 'rise' (did you mean 'rises'?); expected "
              "one of rises, "
              "falls, changes, exception, reaches");
}

TEST(ScenarioParseError, MissingFileIsAnInputError) {
    try {
        parseScenarioFile("/nonexistent/x.yaml", options());
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/x.yaml: cannot open the scenario file");
    }
}

// --- values --------------------------------------------------------------------------------

TEST(ScenarioValues, Times) {
    EXPECT_EQ(parseTime("4s"), 4 * kS);
    EXPECT_EQ(parseTime("1.5 s"), 1500 * kMs);
    EXPECT_EQ(parseTime(" 250ms "), 250 * kMs);
    EXPECT_EQ(parseTime("0.2971875ms"), 297'187'500u);
    EXPECT_EQ(parseTime("10ns"), 10 * kNs);
    EXPECT_EQ(parseTime("0"), Picoseconds{0});
    EXPECT_FALSE(parseTime("5 parsecs"));
    EXPECT_FALSE(parseTime("5"));
    EXPECT_FALSE(parseTime("-1ms"));
    EXPECT_FALSE(parseTime("1.2.3ms"));
    EXPECT_FALSE(parseTime("ms"));
    EXPECT_FALSE(parseTime(""));
}

TEST(ScenarioValues, TimesWithTolerance) {
    const auto a = parseTimeTolerance("500ms ± 1ms");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->value, 500 * kMs);
    EXPECT_EQ(a->tolerance, 1 * kMs);
    const auto b = parseTimeTolerance("0.3ms+-10us");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->value, 300 * kUs);
    EXPECT_EQ(b->tolerance, 10 * kUs);
    const auto c = parseTimeTolerance("2s");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->value, 2 * kS);
    EXPECT_EQ(c->tolerance, 0u);
    EXPECT_FALSE(parseTimeTolerance("500ms ±"));
    EXPECT_FALSE(parseTimeTolerance("± 1ms"));
}

TEST(ScenarioValues, Frequencies) {
    EXPECT_EQ(parseFrequency("168MHz"), 168'000'000u);
    EXPECT_EQ(parseFrequency("16 MHz"), 16'000'000u);
    EXPECT_EQ(parseFrequency("32.768 kHz"), 32'768u);
    EXPECT_EQ(parseFrequency("8000000"), 8'000'000u);
    EXPECT_EQ(parseFrequency("25000000 Hz"), 25'000'000u);
    EXPECT_EQ(parseFrequency("1.000001MHz"), 1'000'001u);
    EXPECT_FALSE(parseFrequency("1.5 Hz"));
    EXPECT_FALSE(parseFrequency("168 mhz"));
    EXPECT_FALSE(parseFrequency("0"));
    EXPECT_FALSE(parseFrequency("MHz"));
    EXPECT_FALSE(parseFrequency("1e6"));
}

TEST(ScenarioValues, ExceptionNames) {
    const ChipDescription& chip = stm32f407Chip();
    EXPECT_EQ(parseExceptionName("SysTick", chip), exc::kSysTick);
    EXPECT_EQ(parseExceptionName("pendsv", chip), exc::kPendSv);
    EXPECT_EQ(parseExceptionName("SVC", chip), exc::kSvCall);
    EXPECT_EQ(parseExceptionName("SVCall", chip), exc::kSvCall);
    EXPECT_EQ(parseExceptionName("HardFault", chip), exc::kHardFault);
    EXPECT_EQ(parseExceptionName("IRQ 38", chip), exc::kFirstIrq + 38);
    EXPECT_EQ(parseExceptionName("IRQ38", chip), exc::kFirstIrq + 38);
    EXPECT_EQ(parseExceptionName("USART2", chip), exc::kFirstIrq + 38);
    EXPECT_EQ(parseExceptionName("IRQ 81", chip), exc::kFirstIrq + 81);
    EXPECT_FALSE(parseExceptionName("IRQ 82", chip));
    EXPECT_FALSE(parseExceptionName("Reset", chip));
    EXPECT_FALSE(parseExceptionName("USART9", chip));
    EXPECT_EQ(describeException(exc::kFirstIrq + 38, chip), "IRQ 38 (USART2)");
    EXPECT_EQ(describeException(exc::kPendSv, chip), "PendSV");
}

TEST(ScenarioValues, PinsAndLeds) {
    const BoardDescription& board = stm32f407DiscoveryBoard();
    const auto pd12 = parsePinRef("PD12", board);
    ASSERT_TRUE(pd12);
    EXPECT_EQ(pd12->port, 'D');
    EXPECT_EQ(pd12->pin, 12);
    ASSERT_NE(pd12->led, nullptr);
    EXPECT_EQ(pd12->led->name, "LD4");
    EXPECT_EQ(describePin(*pd12), "PD12 (LD4 green)");
    const auto green = parsePinRef("green", board);
    ASSERT_TRUE(green);
    EXPECT_EQ(green->led, pd12->led);
    const auto ld5 = parsePinRef("LD5", board);
    ASSERT_TRUE(ld5);
    EXPECT_EQ(describePin(*ld5), "PD14 (LD5 red)");
    const auto pa0 = parsePinRef("PA0", board);
    ASSERT_TRUE(pa0);
    EXPECT_EQ(pa0->led, nullptr);
    EXPECT_EQ(describePin(*pa0), "PA0");
    EXPECT_FALSE(parsePinRef("PZ1", board));  // no port Z on the STM32F407
    EXPECT_FALSE(parsePinRef("PD16", board));
    EXPECT_FALSE(parsePinRef("LD9", board));
}

TEST(ScenarioValues, ExactDisplay) {
    EXPECT_EQ(formatMsExact(500 * kMs), "500 ms");
    EXPECT_EQ(formatMsExact(297'187'500), "0.2971875 ms");
    EXPECT_EQ(formatMsExact(4 * kS), "4000 ms");
    EXPECT_EQ(formatMsExact(0), "0 ms");
    EXPECT_EQ(formatDurationExact(1 * kMs), "1 ms");
    EXPECT_EQ(formatDurationExact(1 * kUs), "1 us");
    EXPECT_EQ(formatDurationExact(1500 * kMs), "1.5 s");
    EXPECT_EQ(formatDurationExact(2'500), "2.5 ns");
    EXPECT_EQ(formatDurationExact(702'381), "702.381 ns");
    EXPECT_EQ(formatDurationExact(7), "7 ps");
}

}  // namespace
}  // namespace cmsim::scenario
