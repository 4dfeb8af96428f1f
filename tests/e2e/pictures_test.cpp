// Pictures of time on the bundled F407 scheduler: the VCD read back by real readers
// (GTKWave's vcd2fst/fst2vcd, sigrok-cli) and by a careful reader of our own, the
// trace-event timeline parsed with nlohmann, the SVG parsed with Python's xml.etree, the
// live view's pacing and its plain fallback, and bad options. Every count is compared
// with what the console summary or the trace log of the same run says.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "RunCli.h"

namespace cmsim::testing {
namespace {

const std::string kBlinky = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";

std::string tempPath(const std::string& tag) {
    return (std::filesystem::temp_directory_path() /
            ("cmsim_pictures_" + std::to_string(::getpid()) + "_" + tag))
        .string();
}

// Runs a shell command; its exit status (-1 when it did not exit).
int shell(const std::string& cmd) {
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool haveTool(const std::string& name) { return shell("command -v " + name + " >/dev/null 2>&1") == 0; }

// LED name -> toggles, from the summary table.
std::map<std::string, std::uint64_t> ledToggles(const std::string& out) {
    std::map<std::string, std::uint64_t> m;
    const std::regex row(R"((?:^|\n)(LD\d+)\s+\w+\s+P[A-K]\d+\s+(\d+)\s)");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), row); it != std::sregex_iterator(); ++it) {
        m[(*it)[1]] = std::stoull((*it)[2]);
    }
    return m;
}

// Task name -> runs, from the task summary (--trace switch).
std::map<std::string, std::uint64_t> taskRuns(const std::string& out) {
    std::map<std::string, std::uint64_t> m;
    const auto start = out.find("Thread-mode time per task");
    if (start == std::string::npos) return m;
    std::istringstream in(out.substr(start));
    std::string line;
    std::getline(in, line);  // the sentence
    std::getline(in, line);  // the column titles
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string name;
        std::uint64_t runs = 0;
        if (f >> name >> runs) m[name] = runs;
    }
    return m;
}

// A small, strict VCD reader: declarations, then timestamps and value changes (scalar,
// b-vector, r-real, s-string), $dumpvars/$comment sections. Enough for our files and for
// what fst2vcd and sigrok-cli write.
struct Vcd {
    std::string timescale;
    std::map<std::string, std::string> nameOf;  // id -> reference name
    std::map<std::string, std::string> typeOf;  // id -> var type
    std::map<std::string, std::vector<std::pair<std::uint64_t, std::string>>> changes;  // name -> (t, value)
    std::uint64_t lastTime = 0;
    std::string error;

    // Number of value changes after the initial value.
    std::size_t transitions(const std::string& name) const {
        const auto it = changes.find(name);
        if (it == changes.end()) return 0;
        std::size_t n = 0;
        for (std::size_t i = 1; i < it->second.size(); ++i) n += it->second[i].second != it->second[i - 1].second;
        return n;
    }
    std::string valueAt(const std::string& name, std::uint64_t t) const {
        std::string v;
        for (const auto& [when, value] : changes.at(name)) {
            if (when > t) break;
            v = value;
        }
        return v;
    }
};

Vcd readVcd(const std::string& text) {
    Vcd v;
    std::istringstream in(text);
    std::vector<std::string> tok;
    for (std::string t; in >> t;) tok.push_back(t);
    std::size_t i = 0;
    bool header = true;
    std::uint64_t now = 0;
    bool haveTime = false;
    auto fail = [&](const std::string& why) {
        if (v.error.empty()) v.error = why + " (token " + std::to_string(i) + ")";
    };
    auto record = [&](const std::string& id, const std::string& value) {
        if (!v.nameOf.count(id)) return fail("value for undeclared id '" + id + "'");
        if (!haveTime) return fail("value before the first timestamp");
        v.changes[v.nameOf[id]].emplace_back(now, value);
    };
    while (i < tok.size() && v.error.empty()) {
        const std::string& t = tok[i];
        if (header) {
            if (t == "$var") {
                if (i + 5 >= tok.size()) return fail("short $var"), v;
                v.typeOf[tok[i + 3]] = tok[i + 1];
                v.nameOf[tok[i + 3]] = tok[i + 4];
                while (i < tok.size() && tok[i] != "$end") ++i;
            } else if (t == "$timescale") {
                ++i;
                while (i < tok.size() && tok[i] != "$end") v.timescale += tok[i++];
            } else if (t == "$enddefinitions") {
                header = false;
                ++i;  // its $end
            } else if (t[0] == '$' && t != "$end") {
                while (i < tok.size() && tok[i] != "$end") ++i;  // $comment, $date, $scope ...
            }
            ++i;
            continue;
        }
        if (t == "$dumpvars" || t == "$end" || t == "$dumpall") {
            ++i;
        } else if (t == "$comment") {
            while (i < tok.size() && tok[i] != "$end") ++i;
            ++i;
        } else if (t[0] == '#') {
            const std::uint64_t next = std::stoull(t.substr(1));
            if (haveTime && next < now) fail("time goes back");
            if (haveTime && next == now && next != 0) {
                // fst2vcd and sigrok may repeat a timestamp; we never write one twice.
            }
            now = next;
            haveTime = true;
            v.lastTime = now;
            ++i;
        } else if (t[0] == 'b' || t[0] == 'B' || t[0] == 'r' || t[0] == 'R' || t[0] == 's' || t[0] == 'S') {
            if (i + 1 >= tok.size()) return fail("value without id"), v;
            record(tok[i + 1], t.substr(1));
            i += 2;
        } else if (std::string("01xXzZ").find(t[0]) != std::string::npos) {
            record(t.substr(1), t.substr(0, 1));
            ++i;
        } else {
            fail("unexpected token '" + t + "'");
        }
    }
    if (header) fail("no $enddefinitions");
    return v;
}

// Our own files: every timestamp is written once and strictly increases.
bool strictlyIncreasingTimestamps(const std::string& text, std::string* why) {
    std::istringstream in(text);
    std::int64_t prev = -1;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] != '#') continue;
        const std::int64_t t = std::stoll(line.substr(1));
        if (t <= prev) {
            *why = line + " after #" + std::to_string(prev);
            return false;
        }
        prev = t;
    }
    return true;
}

std::size_t countLines(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) n += l.find(needle) != std::string::npos;
    return n;
}

class Pictures : public ::testing::Test {
protected:
    std::vector<std::string> files;
    std::string file(const std::string& tag) {
        files.push_back(tempPath(tag));
        return files.back();
    }
    ~Pictures() override {
        for (const auto& f : files) std::filesystem::remove(f);
    }
};

TEST_F(Pictures, VcdHasEveryLedEdgeTickAndSwitchAndRealReadersAgree) {
    const std::string vcd = file("run.vcd"), trace = file("run.trace");
    const auto r = runCli(kBlinky + " --board f407 --for 2s -q --vcd " + vcd + " --vcd-pins PA0 --trace switch,tick "
                                    "--trace-file " + trace);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto toggles = ledToggles(r.out);
    ASSERT_EQ(toggles.size(), 4u) << r.out;
    EXPECT_EQ(toggles.at("LD4"), 2u);  // 0.297 ms and 1000.297 ms
    EXPECT_EQ(toggles.at("LD5"), 16u);
    const std::string log = slurp(trace);
    const std::size_t ticks = countLines(log, "  tick   SysTick wrap");
    const std::size_t switches = countLines(log, "  switch ");
    EXPECT_EQ(ticks, 1999u);
    EXPECT_EQ(switches, 46u);
    const std::map<std::string, std::string> ledVar = {
        {"LD4", "LD4_green_PD12"}, {"LD3", "LD3_orange_PD13"}, {"LD5", "LD5_red_PD14"}, {"LD6", "LD6_blue_PD15"}};

    // Our own reader, on the file as written.
    const std::string text = slurp(vcd);
    std::string why;
    EXPECT_TRUE(strictlyIncreasingTimestamps(text, &why)) << why;
    const Vcd v = readVcd(text);
    ASSERT_EQ(v.error, "") << text.substr(0, 2000);
    EXPECT_EQ(v.timescale, "1ns");
    for (const auto& [led, name] : ledVar) EXPECT_EQ(v.transitions(name), toggles.at(led)) << name;
    EXPECT_EQ(v.transitions("PA0"), 0u);
    EXPECT_EQ(v.transitions("systick"), ticks);
    EXPECT_EQ(v.transitions("task"), switches);
    EXPECT_EQ(v.lastTime, 2'000'000'003u) << "the run ends at the first block boundary after 2 s";
    std::set<std::string> ipsr;
    for (const auto& [t, value] : v.changes.at("ipsr")) ipsr.insert(value);
    EXPECT_EQ(ipsr, (std::set<std::string>{"0", "11", "14", "15"}));  // Thread, SVCall, PendSV, SysTick
    // At 300 us task_blue has just blocked and PendSV is switching to idle (trace: 0.300104 ms).
    EXPECT_EQ(v.valueAt("task", 300'000), "task_blue");
    EXPECT_EQ(v.valueAt("ipsr", 300'000), "14");
    EXPECT_EQ(v.valueAt("task", 300'104), "idle_task");
    EXPECT_EQ(v.valueAt("handler", 300'104), "0");

    // GTKWave's converter reads it (exit status) and writes it back out (fst2vcd): the
    // same edges.
    ASSERT_TRUE(haveTool("vcd2fst") && haveTool("fst2vcd")) << "install gtkwave (tools/install-deps.sh)";
    const std::string fst = file("run.fst"), back = file("back.vcd");
    ASSERT_EQ(shell("vcd2fst " + vcd + " " + fst + " >/dev/null 2>&1"), 0);
    ASSERT_EQ(shell("fst2vcd " + fst + " >" + back + " 2>/dev/null"), 0);
    const Vcd g = readVcd(slurp(back));
    ASSERT_EQ(g.error, "");
    for (const auto& [led, name] : ledVar) EXPECT_EQ(g.transitions(name), toggles.at(led)) << "fst2vcd " << name;
    EXPECT_EQ(g.transitions("systick"), ticks);
    EXPECT_EQ(g.transitions("task"), switches);

    // PulseView's library (libsigrok) through sigrok-cli, at 1 us per sample: the 1-bit
    // signals, every edge of them.
    ASSERT_TRUE(haveTool("sigrok-cli")) << "install sigrok-cli (tools/install-deps.sh)";
    const std::string sr = file("sigrok.vcd");
    ASSERT_EQ(shell("sigrok-cli -l 1 -I vcd:downsample=1000 -i " + vcd + " -O vcd >" + sr + " 2>/dev/null"), 0);
    std::string srText = slurp(sr);
    srText = srText.substr(std::min(srText.find("$date"), srText.size()));  // after "META ..." lines
    const Vcd s = readVcd(srText);
    ASSERT_EQ(s.error, "") << srText.substr(0, 1000);
    EXPECT_EQ(s.timescale, "1us");
    for (const auto& [led, name] : ledVar) EXPECT_EQ(s.transitions(name), toggles.at(led)) << "sigrok " << name;
    EXPECT_EQ(s.transitions("systick"), ticks);
    EXPECT_EQ(s.lastTime, 2'000'000u) << "samples cover the whole run";
}

TEST_F(Pictures, TimelineHasOneSlicePerTaskRunAndNestedExceptionSlices) {
    const std::string json = file("timeline.json");
    const auto r = runCli(kBlinky + " --board f407 --for 2s -q --timeline " + json +
                          " --trace switch --trace-file /dev/null");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto runs = taskRuns(r.out);
    ASSERT_EQ(runs.size(), 6u) << r.out;
    const auto toggles = ledToggles(r.out);

    const nlohmann::json doc = nlohmann::json::parse(slurp(json));
    std::string process;
    std::map<int, std::string> trackName;
    std::map<int, std::vector<std::pair<std::int64_t, std::int64_t>>> slices;  // tid -> [start, end) ps
    std::map<std::string, std::size_t> perTask, counters;
    auto ps = [](const nlohmann::json& us) { return static_cast<std::int64_t>(std::llround(us.get<double>() * 1e6)); };
    for (const auto& e : doc.at("traceEvents")) {
        const std::string ph = e.at("ph");
        if (ph == "M" && e.at("name") == "process_name") process = e.at("args").at("name");
        if (ph == "M" && e.at("name") == "thread_name") trackName[e.at("tid")] = e.at("args").at("name");
        if (ph == "C") ++counters[e.at("name")];
        if (ph != "X") continue;
        const int tid = e.at("tid");
        slices[tid].emplace_back(ps(e.at("ts")), ps(e.at("ts")) + ps(e.at("dur")));
        if (tid < 1000) ++perTask[e.at("name")];
    }
    EXPECT_NE(process.find("STM32F407G-DISC1"), std::string::npos) << process;
    EXPECT_NE(process.find("blinky.elf"), std::string::npos) << process;
    EXPECT_EQ(trackName[1015], "SysTick (15)");
    EXPECT_EQ(trackName[1014], "PendSV (14)");
    // A slice per run, as many as the task summary counts.
    EXPECT_EQ(perTask, (std::map<std::string, std::size_t>(runs.begin(), runs.end())));
    // LED counters: the initial level, then one per toggle.
    EXPECT_EQ(counters.at("LD4 green PD12"), toggles.at("LD4") + 1);
    EXPECT_EQ(counters.at("LD5 red PD14"), toggles.at("LD5") + 1);
    // Per track: ordered, not overlapping.
    for (const auto& [tid, list] : slices) {
        for (std::size_t i = 1; i < list.size(); ++i) {
            ASSERT_LE(list[i - 1].second, list[i].first) << "track " << tid << " slice " << i;
        }
    }
    // Across exception tracks: handlers nest (preemption) or follow each other.
    std::vector<std::pair<std::int64_t, std::int64_t>> handlers;
    for (const auto& [tid, list] : slices) {
        if (tid >= 1000 && tid < 2000) handlers.insert(handlers.end(), list.begin(), list.end());
    }
    std::sort(handlers.begin(), handlers.end(),
              [](auto a, auto b) { return a.first != b.first ? a.first < b.first : a.second > b.second; });
    EXPECT_GT(handlers.size(), 4000u);
    std::vector<std::pair<std::int64_t, std::int64_t>> open;
    for (const auto& h : handlers) {
        while (!open.empty() && open.back().second <= h.first) open.pop_back();
        if (!open.empty()) {
            ASSERT_LE(h.second, open.back().second) << "slice at " << h.first << " ps overlaps";
        }
        open.push_back(h);
    }
}

TEST_F(Pictures, SvgHasABarPerTaskRunInTheWindow) {
    const std::string svg = file("plot.svg"), trace = file("plot.trace"), counts = file("counts.txt");
    const auto r = runCli(kBlinky + " --board f407 --for 1s -q --plot " + svg +
                          " --plot-until 300ms --trace switch --trace-file " + trace);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // Runs overlapping 0..300 ms from the switch trace: main from the start, then every
    // task switched in up to 300 ms.
    std::map<std::string, std::size_t> expected{{"main", 1}};
    const std::regex sw(R"(^\s*([0-9.]+)\s+\d+\s+switch \S+ -> (\S+)  via)");
    std::istringstream in(slurp(trace));
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_search(line, m, sw) && std::stod(m[1]) <= 300.0) ++expected[m[2]];
    }
    EXPECT_EQ(expected.at("task_red"), 3u);
    EXPECT_EQ(expected.at("idle_task"), 3u);

    // Well-formed XML, and the bars per task row, counted by Python's parser.
    ASSERT_TRUE(haveTool("python3")) << "install python3 (tools/install-deps.sh)";
    const std::string py =
        "import sys, collections, xml.etree.ElementTree as ET\n"
        "root = ET.parse(sys.argv[1]).getroot()\n"
        "ns = '{http://www.w3.org/2000/svg}'\n"
        "assert root.tag == ns + 'svg', root.tag\n"
        "c = collections.Counter()\n"
        "for g in root.iter(ns + 'g'):\n"
        "    if g.get('class') == 'task':\n"
        "        bars = [r for r in g.iter(ns + 'rect') if r.get('class') == 'run']\n"
        "        assert all(r.get('data-task') == g.get('data-task') for r in bars)\n"
        "        c[g.get('data-task')] += len(bars)\n"
        "for k in sorted(c): print(k, c[k])\n";
    const std::string script = file("count.py");
    {
        std::ofstream f(script);
        f << py;
    }
    ASSERT_EQ(shell("python3 " + script + " " + svg + " >" + counts + " 2>&1"), 0) << slurp(counts);
    std::map<std::string, std::size_t> drawn;
    std::istringstream c(slurp(counts));
    std::string name;
    std::size_t n;
    while (c >> name >> n) drawn[name] = n;
    EXPECT_EQ(drawn, expected);

    const std::string text = slurp(svg);
    EXPECT_NE(text.find("0 to 300 ms"), std::string::npos);
    EXPECT_NE(text.find("<path class=\"led\" data-led=\"LD5\" data-edges=\"3\""), std::string::npos)
        << "red toggles at 0.3, 125.3 and 250.3 ms";
    // The same run draws the same bytes.
    const std::string again = file("again.svg");
    ASSERT_EQ(runCli(kBlinky + " --board f407 --for 1s -q --plot " + again + " --plot-until 300ms").exitCode, 0);
    EXPECT_EQ(slurp(again), text);
}

TEST_F(Pictures, PlotDefaultsToTheFirstTwoSecondsCutAtTheEndOfTheRun) {
    const std::string svg = file("short.svg");
    ASSERT_EQ(runCli(kBlinky + " --board f407 --for 500ms -q --plot " + svg).exitCode, 0);
    EXPECT_NE(slurp(svg).find("Simulated time 0 to 500 ms"), std::string::npos);
}

TEST_F(Pictures, RealtimeIsPacedAndPrintsWhatTheSameRunPrintsWithoutIt) {
    const std::string args = kBlinky + " --board f407 --for 500ms";
    const auto start = std::chrono::steady_clock::now();
    const auto live = runCli(args + " --realtime --speed 100");
    const auto wall = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(live.exitCode, 0) << live.err;
    // 0.5 s simulated at 100x: at least 5 ms of wall time (no upper bound: shared machines).
    EXPECT_GE(wall, std::chrono::milliseconds(5));
    // stdout is a file here: the plain LED lines, no escape sequences, and the same bytes.
    const auto plain = runCli(args);
    EXPECT_EQ(live.out, plain.out);
    EXPECT_EQ(live.out.find('\x1b'), std::string::npos);
    EXPECT_NE(live.out.find("LD5  red     PD14  -> 1 (on)"), std::string::npos) << live.out;
    // The same simulated run, cycle for cycle, also when the limit is a cycle count.
    const std::string sw = " -q --trace switch --trace-file /dev/null";
    EXPECT_EQ(runCli(args + sw + " --realtime --speed 50").out, runCli(args + sw).out);
    const std::string cycles = kBlinky + " --board f407 --cycles 30000000 -q";
    EXPECT_EQ(runCli(cycles + " --realtime --speed 20").out, runCli(cycles).out);
}

TEST_F(Pictures, BadOptionsAreOneLineAndExitTwo) {
    const std::string base = kBlinky + " --board f407 --for 10ms";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {" --vcd /nonexistent-dir/x.vcd", "cmsim: --vcd /nonexistent-dir/x.vcd: cannot open for writing"},
        {" --timeline /nonexistent-dir/t.json", "cmsim: --timeline /nonexistent-dir/t.json: cannot open"},
        {" --plot /nonexistent-dir/p.svg", "cmsim: --plot /nonexistent-dir/p.svg: cannot open"},
        {" --vcd /dev/null --vcd-pins PZ99", "cmsim: --vcd-pins PZ99: no pin PZ99 on STM32F407VG"},
        {" --vcd /dev/null --vcd-pins PB0,PD16", "cmsim: --vcd-pins PD16: no pin PD16"},
        {" --vcd /dev/null --vcd-pins B0", "cmsim: --vcd-pins B0: expected a pin name such as PD12"},
        {" --vcd-pins PB0", "cmsim: --vcd-pins needs --vcd FILE"},
        {" --plot-until 5ms", "cmsim: --plot-from/--plot-until need --plot FILE.svg"},
        {" --plot /dev/null --plot-from 5ms --plot-until 5ms", "cmsim: --plot-until must be later than --plot-from"},
        {" --plot /dev/null --plot-from soon", "cmsim: --plot-from soon: expected a time"},
        {" --speed 10", "cmsim: --speed needs --realtime"},
        {" --realtime --speed 0", "cmsim: --speed 0: expected a positive factor"},
    };
    for (const auto& [opts, message] : cases) {
        const auto r = runCli(base + opts);
        EXPECT_EQ(r.exitCode, 2) << opts << "\n" << r.err;
        EXPECT_EQ(r.err.find(message), 0u) << opts << "\n" << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << opts << "\n" << r.err;
        EXPECT_EQ(r.out, "") << opts;
    }
}

}  // namespace
}  // namespace cmsim::testing
