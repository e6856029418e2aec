#!/usr/bin/env python3
"""propagation.py -- how fast blocks, transactions and addresses cross a
network of real agentnodes spread over the world by tests/tools/wanproxy.

Run by bench/propagation.sh, which builds the programs and cleans up; this
script starts the proxy and the nodes itself (every process it starts is
written to --pidfile as it starts, so the caller's trap can stop them), and
prints one "key value" line per figure on standard output (progress goes
to standard error).

Nodes sit on 127.79.C.H (C = 1..6, the demo's six cities in
tests/tools/geoip-demo.tsv, re-addressed from 127.0.C.0/24 to
127.79.C.0/24 so the benchmark never meets a demo or a test), each with
its RPC on its own address.  Every node gets every other node's address as
a seed and keeps min_peers outbound connections, so the overlay is a random
graph like Bitcoin's, not a star around one seed.  All P2P traffic goes
through the one wanproxy, which delays each stream by half the round trip
of tests/tools/wan-matrix.tsv between the two ends' cities.

Every time is a node's own stamp (received_ms of getrecentblocks,
getrawmempool true), so how often this script polls changes nothing but
the load.  The physical limit is Dijkstra over the overlay that formed
(getpeerinfo of every node) with each link weighted by the matrix's
one-way delay.  Every wait has a deadline; every loop is bounded.
"""
import argparse
import base64
import heapq
import http.client
import json
import os
import random
import subprocess
import sys
import time

P2P_PORT = 29001
RPC_PORT = 28545
NET = "127.79"		# --net: NET.C.H for nodes (C = 1..6), NET.0.1 for the proxy


def log(msg):
    print("propagation: " + msg, file=sys.stderr, flush=True)


def pct(sorted_vals, q):
    """Linear-interpolated percentile Q (0..100) of SORTED_VALS."""
    if not sorted_vals:
        return float("nan")
    pos = (len(sorted_vals) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def mean(vals):
    return sum(vals) / len(vals) if vals else float("nan")


# --- the world ---------------------------------------------------------------

def load_cities(geoip_tsv):
    """City names in the order of the demo GeoIP file (127.0.C.0/24)."""
    cities = []
    for line in open(geoip_tsv, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        cities.append((cols[0], cols[3]))
    return [c for _, c in sorted(cities, key=lambda x: int(x[0].split(".")[2]))]


def write_geoip(geoip_tsv, out):
    """The demo GeoIP file with 127.0.C.0/24 moved to NET.C.0/24."""
    with open(out, "w", encoding="utf-8") as f:
        for line in open(geoip_tsv, encoding="utf-8"):
            if line.startswith("127.0."):
                line = NET + "." + line[len("127.0."):]
            f.write(line)


def load_matrix(path):
    """{(city, city): one-way ms}, both orders."""
    m = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        a, b, rtt = line.rstrip("\n").split("\t")[:3]
        m[(a, b)] = m[(b, a)] = float(rtt) / 2.0
    return m


class Node:
    def __init__(self, idx, cities, datadir):
        self.idx = idx
        self.city = cities[idx % len(cities)]
        self.ip = "%s.%d.%d" % (NET, idx % len(cities) + 1, 10 + idx // len(cities))
        self.datadir = os.path.join(datadir, "n%d" % idx)
        self.proc = None
        self.conn = None
        self.auth = None

    def addr(self):
        return "%s:%d" % (self.ip, P2P_PORT)

    def _connect(self):
        with open(os.path.join(self.datadir, ".cookie"), "rb") as f:
            self.auth = "Basic " + base64.b64encode(f.read().strip()).decode()
        self.conn = http.client.HTTPConnection(self.ip, RPC_PORT, timeout=30)

    def http(self, method, path, body=None):
        """One request on a kept-alive connection (re-opened once if it broke)."""
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self._connect()
                self.conn.request(method, path, body=body, headers={
                    "Authorization": self.auth, "Content-Type": "application/json"})
                r = self.conn.getresponse()
                data = r.read()
                if r.status != 200:
                    raise RuntimeError("%s %s: HTTP %d %s" % (self.ip, path, r.status, data[:200]))
                return data
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 1:
                    raise
        return None

    def rpc(self, method, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        reply = json.loads(self.http("POST", "/", body))
        if reply.get("error"):
            raise RuntimeError("%s %s: %s" % (self.ip, method, reply["error"]))
        return reply["result"]

    def metric(self, name):
        for line in self.http("GET", "/metrics").decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise RuntimeError("%s: no metric %s" % (self.ip, name))


class Bench:
    def __init__(self, a):
        self.a = a
        self.cities = load_cities(a.geoip)
        self.matrix = load_matrix(a.matrix)
        self.nodes = [Node(i, self.cities, a.dir) for i in range(a.nodes)]
        self.by_ip = {n.ip: n for n in self.nodes}
        self.rng = random.Random(a.seed)
        self.pids = []
        self.procs = []

    def emit(self, key, value, note=""):
        if isinstance(value, float):
            value = "nan" if value != value else ("%.0f" % value if abs(value) >= 100 else "%.2f" % value)
        line = "%s %s" % (key, value) + (" " + note if note else "")
        print(line, flush=True)

    def spawn(self, argv, logname):
        f = open(os.path.join(self.a.dir, logname), "wb")
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        with open(self.a.pidfile, "a", encoding="ascii") as pf:
            pf.write("%d\n" % p.pid)
        self.pids.append(p.pid)
        self.procs.append(p)
        return p

    def stop_all(self):
        """Stop every process started here (the caller's trap is the backstop)."""
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        end = time.monotonic() + 10
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    # --- start-up -------------------------------------------------------------

    def start_proxy(self):
        geo = os.path.join(self.a.dir, "geo.tsv")
        write_geoip(self.a.geoip, geo)
        self.proxy = self.spawn([self.a.wanproxy, "--listen", self.a.proxy, "--geoip", geo,
                                 "--matrix", self.a.matrix, "--max-links", "8192"], "wanproxy.log")
        self.wait(10, "wanproxy", lambda: b"wanproxy listening" in
                  open(os.path.join(self.a.dir, "wanproxy.log"), "rb").read())

    def start_node(self, n, seeds):
        os.makedirs(n.datadir, exist_ok=True)
        conf = os.path.join(n.datadir, "seeds.yaml")
        with open(conf, "w", encoding="ascii") as f:
            f.write("network:\n  seeds:\n")
            for s in seeds:
                f.write("    - \"%s\"\n" % s.addr())
        n.proc = self.spawn([self.a.agentnode, "start", "--network", "regtest", "--config", conf,
                             "--datadir", n.datadir, "--listen", n.addr(),
                             "--rpc-listen", "%s:%d" % (n.ip, RPC_PORT), "--no-dns-seeds",
                             "--proxy", self.a.proxy, "--min-peers", str(self.a.outbound),
                             "--log-level", "warn", "--log-file", os.path.join(n.datadir, "log")],
                            "n%d.out" % n.idx)

    def wait(self, seconds, what, cond, interval=0.2):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                if cond():
                    return
            except (OSError, RuntimeError, ValueError, http.client.HTTPException):
                pass
            time.sleep(interval)
        raise RuntimeError("timed out after %d s waiting for %s" % (seconds, what))

    def outbound(self, n):
        return sum(1 for p in n.rpc("getpeerinfo")
                   if p["direction"] == "outbound" and p["connection_type"] == "full")

    def start_network(self):
        self.start_proxy()
        for n in self.nodes:
            others = [o for o in self.nodes if o is not n]
            self.rng.shuffle(others)
            self.start_node(n, others)
        self.wait(120, "every node's RPC", lambda: all(
            os.path.exists(os.path.join(n.datadir, ".cookie")) for n in self.nodes))
        for n in self.nodes:
            self.wait(60, "node %s's RPC" % n.ip, lambda n=n: n.rpc("getblockchaininfo"))
        want = self.a.outbound
        self.wait(300, "%d outbound connections on every node" % want,
                  lambda: all(self.outbound(n) >= want for n in self.nodes), interval=1.0)
        log("%d nodes up, %d outbound each" % (len(self.nodes), want))

    # --- the overlay and its physical limit ----------------------------------------

    def overlay(self):
        """{node index: {neighbour index: one-way ms}} from every getpeerinfo."""
        g = {n.idx: {} for n in self.nodes}
        links = set()
        for n in self.nodes:
            for p in n.rpc("getpeerinfo"):
                if p["connection_type"] == "feeler" or not p["handshake_complete"]:
                    continue
                ip = p["addr"].rsplit(":", 1)[0].strip("[]")
                o = self.by_ip.get(ip)
                if o is None or o is n:
                    continue
                d = self.matrix[(n.city, o.city)]
                g[n.idx][o.idx] = g[o.idx][n.idx] = d
                links.add((min(n.idx, o.idx), max(n.idx, o.idx)))
        return g, links

    @staticmethod
    def dijkstra(g, src):
        dist, hops = {src: 0.0}, {src: 0}
        heap = [(0.0, 0, src)]
        while heap:
            d, h, u = heapq.heappop(heap)
            if d > dist[u]:
                continue
            for v, w in g[u].items():
                if d + w < dist.get(v, float("inf")):
                    dist[v], hops[v] = d + w, h + 1
                    heapq.heappush(heap, (d + w, h + 1, v))
        return dist, hops

    # --- CPU ---------------------------------------------------------------------

    def cpu_sample(self):
        with open("/proc/stat", encoding="ascii") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        ours = proxy = 0
        for pid in self.pids:
            try:
                with open("/proc/%d/stat" % pid, encoding="ascii") as f:
                    s = f.read().rsplit(")", 1)[1].split()
                ours += int(s[11]) + int(s[12])
                if pid == self.proxy.pid:
                    proxy = int(s[11]) + int(s[12])
            except OSError:
                pass
        t = os.times()
        return time.monotonic(), sum(v), v[3] + v[4], ours, t.user + t.system, proxy

    @staticmethod
    def add_busy(acc, s0, s1):
        hz = os.sysconf("SC_CLK_TCK")
        ncpu = os.cpu_count() or 1
        wall = s1[0] - s0[0]
        acc[0] += wall
        acc[1] += wall * ncpu * (1 - (s1[2] - s0[2]) / max(1, s1[1] - s0[1]))
        acc[2] += (s1[3] - s0[3]) / hz

    def cpu_report(self, name, s0):
        s1 = self.cpu_sample()
        hz = os.sysconf("SC_CLK_TCK")
        ncpu = os.cpu_count() or 1
        busy = 100.0 * (1 - (s1[2] - s0[2]) / max(1, s1[1] - s0[1]))
        ours = 100.0 * (s1[3] - s0[3]) / hz / max(1e-9, s1[0] - s0[0]) / ncpu
        self.emit("cpu_%s_machine_busy_pct" % name, busy, "(all processes, %d cores)" % ncpu)
        self.emit("cpu_%s_network_pct" % name, ours, "(nodes + wanproxy, of %d cores)" % ncpu)
        self.emit("cpu_%s_wanproxy_pct" % name, 100.0 * (s1[5] - s0[5]) / hz / max(1e-9, s1[0] - s0[0]),
                  "(of one core: the proxy is one process)")
        self.emit("cpu_%s_driver_pct" % name, 100.0 * (s1[4] - s0[4]) / max(1e-9, s1[0] - s0[0]) / ncpu,
                  "(this script's polling)")

    # --- blocks -------------------------------------------------------------------

    def tip_of(self, n):
        return n.rpc("getrecentblocks", 1)[0]

    def block_series(self, label, size, count):
        g, links = self.overlay()
        dup0 = sum(n.metric("agentnode_block_duplicates_total") for n in self.nodes)
        push0 = sum(n.metric("agentnode_blocks_pushed_total") for n in self.nodes)
        s0 = self.cpu_sample()
        per = {k: [] for k in ("p50", "p90", "p95", "p99", "max")}
        lim = {k: [] for k in ("p50", "p95")}
        ratio50, ratio95, hops, limhops, missing, alls = [], [], [], [], 0, []
        busy = [0.0, 0.0, 0.0]	# while blocks propagate: wall s, machine busy s, network cpu s
        for b in range(count):
            origin = self.rng.choice(self.nodes)
            w0 = self.cpu_sample()
            bhash = origin.rpc("generate", 1, size)[0]
            t0 = self.tip_of(origin)["received_ms"]
            got = {origin.idx: self.tip_of(origin)}
            pending = [n for n in self.nodes if n is not origin]
            end = time.monotonic() + self.a.block_timeout
            while pending and time.monotonic() < end:
                time.sleep(0.1)
                left = []
                for n in pending:
                    t = self.tip_of(n)
                    if t["hash"] == bhash:
                        got[n.idx] = t
                    else:
                        left.append(n)
                pending = left
            w1 = self.cpu_sample()
            self.add_busy(busy, w0, w1)
            missing += len(pending)
            delays = sorted(got[i]["received_ms"] - t0 for i in got if i != origin.idx)
            alls += delays
            dist, dhops = self.dijkstra(g, origin.idx)
            limits = sorted(dist[n.idx] for n in self.nodes if n is not origin and n.idx in dist)
            for k, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99), ("max", 100)):
                per[k].append(pct(delays, q))
            lim["p50"].append(pct(limits, 50))
            lim["p95"].append(pct(limits, 95))
            ratio50.append(per["p50"][-1] / max(1e-9, lim["p50"][-1]))
            ratio95.append(per["p95"][-1] / max(1e-9, lim["p95"][-1]))
            limhops.append(mean([dhops[i] for i in dhops if i != origin.idx]))
            hops.append(mean(self.path_hops(origin, got)))
            log("%s block %d/%d from %s (%s): p50 %.0f p95 %.0f max %.0f ms; limit p50 %.0f p95 %.0f;"
                " %d missing" % (label, b + 1, count, origin.ip, origin.city, per["p50"][-1],
                                 per["p95"][-1], per["max"][-1], lim["p50"][-1], lim["p95"][-1],
                                 len(pending)))
            time.sleep(self.a.block_gap)
        for k in ("p50", "p90", "p95", "p99", "max"):
            self.emit("block_%s_%s_ms" % (label, k), mean(per[k]),
                      "(mean of %d blocks' %s)" % (count, k))
        self.emit("block_%s_worst_ms" % label, max(alls) if alls else float("nan"),
                  "(slowest node of all %d blocks)" % count)
        self.emit("limit_block_%s_p50_ms" % label, mean(lim["p50"]), "(shortest paths in the overlay)")
        self.emit("limit_block_%s_p95_ms" % label, mean(lim["p95"]))
        self.emit("block_%s_p50_over_limit" % label, mean(ratio50), "(goal for 1k: <= 1.5)" if label == "1k" else "")
        self.emit("block_%s_p95_over_limit" % label, mean(ratio95), "(goal for 1k: <= 2)" if label == "1k" else "")
        self.emit("block_%s_hops_mean" % label, mean(hops), "(hops the block took)")
        self.emit("limit_block_%s_hops_mean" % label, mean(limhops), "(hops of the shortest paths)")
        self.emit("block_%s_missing" % label, missing,
                  "(node-blocks not there within %d s)" % self.a.block_timeout)
        dups = sum(n.metric("agentnode_block_duplicates_total") for n in self.nodes) - dup0
        self.emit("block_%s_extra_copies_per_node" % label, dups / count / len(self.nodes),
                  "(copies of a block a node received after it had it)")
        pushes = sum(n.metric("agentnode_blocks_pushed_total") for n in self.nodes) - push0
        self.emit("block_%s_pushes_per_block" % label, pushes / count,
                  "(whole blocks sent unasked: high-bandwidth peers, the maker's own)")
        self.cpu_report("block_%s" % label, s0)
        ncpu = os.cpu_count() or 1
        self.emit("cpu_block_%s_while_propagating_machine_pct" % label,
                  100.0 * busy[1] / max(1e-9, busy[0] * ncpu),
                  "(from generate to the last node's receipt)")
        self.emit("cpu_block_%s_while_propagating_network_pct" % label,
                  100.0 * busy[2] / max(1e-9, busy[0] * ncpu))
        self.emit("cpu_block_%s_network_ms_per_node" % label,
                  1000.0 * busy[2] / count / len(self.nodes), "(CPU a block costs one node, proxy included)")
        return lim

    def path_hops(self, origin, got):
        """Hops each block took: follow 'from' (who brought it) back to the origin."""
        out = []
        for i, t in got.items():
            if i == origin.idx:
                continue
            h, cur = 0, t
            while h < len(self.nodes):
                ip = cur["from"].rsplit(":", 1)[0].strip("[]")
                h += 1
                if ip == origin.ip:
                    out.append(h)
                    break
                prev = self.by_ip.get(ip)
                if prev is None or prev.idx not in got:
                    break
                cur = got[prev.idx]
        return out

    # --- transactions --------------------------------------------------------------

    def tx_series(self, count, rate):
        g, links = self.overlay()
        before = {n.idx: n.metric("agentnode_transaction_announce_bytes_total") for n in self.nodes}
        entries0 = {n.idx: n.metric("agentnode_transactions_announced_total") for n in self.nodes}
        s0 = self.cpu_sample()
        origin_of = {}
        start = time.monotonic()
        for k in range(count):
            due = start + k / rate
            while time.monotonic() < due:
                time.sleep(min(0.05, due - time.monotonic()))
            o = self.rng.choice(self.nodes)
            tx = os.urandom(self.a.tx_size)
            origin_of[o.rpc("sendrawtransaction", tx.hex())] = o
        self.wait(self.a.tx_timeout, "every transaction in every mempool", lambda: all(
            n.rpc("getmempoolinfo")["size"] >= count for n in self.nodes), interval=0.5)
        pools = {n.idx: n.rpc("getrawmempool", True) for n in self.nodes}
        delays, missing = [], 0
        for txid, o in origin_of.items():
            t0 = pools[o.idx][txid]["received_ms"]
            for n in self.nodes:
                if n is o:
                    continue
                e = pools[n.idx].get(txid)
                if e is None:
                    missing += 1
                else:
                    delays.append(e["received_ms"] - t0)
        delays.sort()
        nbytes = sum(n.metric("agentnode_transaction_announce_bytes_total") - before[n.idx]
                     for n in self.nodes)
        nentries = sum(n.metric("agentnode_transactions_announced_total") - entries0[n.idx]
                       for n in self.nodes)
        self.emit("tx_p50_ms", pct(delays, 50), "(goal <= 3000)")
        self.emit("tx_p90_ms", pct(delays, 90), "(goal <= 5000)")
        self.emit("tx_p99_ms", pct(delays, 99))
        self.emit("tx_max_ms", pct(delays, 100))
        self.emit("tx_missing", missing, "(node-transactions never seen)")
        self.emit("announce_bytes_per_tx_per_peer", nbytes / count / max(1, len(links)),
                  "(inv bytes, both directions, per connection; goal <= 40)")
        self.emit("announce_entries_per_tx_per_peer", nentries / count / max(1, len(links)),
                  "(1.00: each transaction announced once per connection)")
        self.cpu_report("tx", s0)
        # Leave empty mempools for whatever runs next.
        self.nodes[0].rpc("generate", 1)

    # --- addresses -------------------------------------------------------------------

    def addr_series(self):
        newcomer = Node(len(self.nodes), self.cities, self.a.dir)
        seeds = self.rng.sample(self.nodes, min(len(self.nodes), 2 * self.a.outbound))
        s0 = self.cpu_sample()
        t0 = time.monotonic()
        self.start_node(newcomer, seeds)
        known = {}
        end = t0 + self.a.addr_timeout
        need = int(0.9 * len(self.nodes) + 0.999)
        self.wait(60, "the newcomer's RPC", lambda: os.path.exists(
            os.path.join(newcomer.datadir, ".cookie")) and newcomer.rpc("getblockchaininfo"),
            interval=0.05)
        self.wait(60, "the newcomer's first peer", lambda: any(
            p["handshake_complete"] for p in newcomer.rpc("getpeerinfo")), interval=0.05)
        first_peer = time.monotonic() - t0
        while time.monotonic() < end and len(known) < len(self.nodes):
            for n in self.nodes:
                if n.idx in known:
                    continue
                addrs = n.rpc("getnodeaddresses", 0)
                if any(a["address"].rsplit(":", 1)[0] == newcomer.ip for a in addrs):
                    known[n.idx] = time.monotonic() - t0
            if len(known) >= need and time.monotonic() - t0 > 2 * max(known.values()):
                break
            time.sleep(0.5)
        times = sorted(known.values())
        self.emit("addr_p50_s", times[len(self.nodes) // 2 - 1] if len(times) >= len(self.nodes) // 2
                  else float("nan"))
        self.emit("addr_p90_s", times[need - 1] if len(times) >= need else float("nan"),
                  "(a new node's address in 90%% of address books; polled every ~%.1f s)" %
                  max(0.5, 0.002 * len(self.nodes)))
        self.emit("addr_first_peer_s", first_peer, "(from the newcomer's start to its first handshake)")
        self.emit("addr_known_pct", 100.0 * len(times) / len(self.nodes),
                  "(after %.0f s)" % (time.monotonic() - t0))
        self.cpu_report("addr", s0)

    # --- the whole run -----------------------------------------------------------------

    def run(self):
        t_start = time.monotonic()
        self.emit("nodes", len(self.nodes), "(%d per city, %d outbound each)" % (
            (len(self.nodes) + 5) // 6, self.a.outbound))
        self.start_network()
        # The first block takes every node out of initial block download.
        self.nodes[0].rpc("generate", 1)
        self.wait(120, "the first block everywhere", lambda: all(
            n.rpc("getblockchaininfo")["blocks"] >= 1 for n in self.nodes), interval=0.5)
        g, links = self.overlay()
        deg = sorted(len(v) for v in g.values())
        self.emit("overlay_links", len(links))
        self.emit("overlay_degree_p50", pct(deg, 50), "(min %d, max %d)" % (deg[0], deg[-1]))
        if "1k" in self.a.series:
            self.block_series("1k", 1000, self.a.blocks)
        if "1m" in self.a.series:
            self.block_series("1m", 1000000, self.a.blocks)
        if "tx" in self.a.series:
            self.tx_series(self.a.txs, self.a.tx_rate)
        if "addr" in self.a.series:
            self.addr_series()
        self.emit("run_seconds", time.monotonic() - t_start)
        if self.a.hold > 0:
            log("holding the network for %d s (pids in %s)" % (self.a.hold, self.a.pidfile))
            time.sleep(self.a.hold)


def main():
    global NET
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agentnode", required=True)
    ap.add_argument("--wanproxy", required=True)
    ap.add_argument("--geoip", required=True, help="tests/tools/geoip-demo.tsv")
    ap.add_argument("--matrix", required=True, help="tests/tools/wan-matrix.tsv")
    ap.add_argument("--dir", required=True, help="state directory (node datadirs, logs)")
    ap.add_argument("--pidfile", required=True, help="each started process's pid is appended")
    ap.add_argument("--net", default=NET, help="first two octets of the nodes' addresses")
    ap.add_argument("--proxy", default=None, help="wanproxy's address (default NET.0.1:1080)")
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--outbound", type=int, default=8)
    ap.add_argument("--blocks", type=int, default=20)
    ap.add_argument("--txs", type=int, default=200)
    ap.add_argument("--tx-rate", type=float, default=5.0, help="transactions per second")
    ap.add_argument("--tx-size", type=int, default=250)
    ap.add_argument("--series", default="1k,1m,tx,addr")
    ap.add_argument("--block-gap", type=float, default=1.0, help="seconds between blocks")
    ap.add_argument("--block-timeout", type=int, default=60)
    ap.add_argument("--tx-timeout", type=int, default=120)
    ap.add_argument("--addr-timeout", type=int, default=300)
    ap.add_argument("--hold", type=int, default=0, help="keep the network up this long at the end")
    ap.add_argument("--seed", type=int, default=None, help="random seed (origins, topology)")
    a = ap.parse_args()
    if not 2 <= a.nodes <= 1500:
        ap.error("--nodes: 2 to 1500")
    a.series = set(a.series.split(","))
    NET = a.net
    if a.proxy is None:
        a.proxy = NET + ".0.1:1080"
    b = Bench(a)
    try:
        b.run()
    finally:
        b.stop_all()


if __name__ == "__main__":
    main()
