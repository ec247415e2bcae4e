#!/bin/bash
# `show interfaces sstpc` against VyOS's layout on a running tunnel (sstpd
# with IPv6 and a SLAAC prefix, so sstpc0 has IPv4, a global IPv6 and a
# link-local address):
# - `show interfaces sstpc sstpc0`: the `ip addr show sstpc0` text with the
#   index cut and the output stripped (what VyOS's interfaces.py prints),
#   `Description:`, then the RX/TX table rebuilt by tabulate exactly as
#   interfaces.py calls it from the figures shown (which must match
#   `ip -j -s link`), then the tunnel facts;
# - the summary table as interfaces.py formats it, IPv4 and IPv6 listed;
# - `detail`, `statistics` (pppstats' columns), `log`, and
#   `clear interfaces connection sstpc0` (a new session, tunnel back up);
# - a second sstpc0 in another namespace with the same run directory, up
#   at the same time: each `show` and `clear` reaches the tunnel of its own
#   namespace.
. "$(dirname "$0")/lib.sh"
need_root; need_sstpc; need_cmd ip
PY=/usr/bin/python3 # Debian's, where python3-tabulate lives
"$PY" -c 'import tabulate' 2>/dev/null || skip "python3-tabulate missing (tools/deps.sh installs it)"

SNS=vys-s$$ CNS=vys-c$$ CNS2=vys-d$$
sstpd_start "$SNS" "$CNS" --ipv6 --ipv6-prefix 2001:db8:77::/64
RUN=$T_TMP/run-shared
mkdir -p "$RUN"
sd_conf "$T_TMP/c.conf" "description 'Branch uplink'" "mtu 1400" "log-level info"
cli() { ip netns exec "$1" env SSTPC_RUN_DIR="$RUN" "$SSTPC" "${@:2}"; }
bg "$CNS" "$T_TMP/c.log" env SSTPC_RUN_DIR="$RUN" SSTPC_RESOLV_CONF="$T_TMP/resolv" "$SSTPC" -c "$T_TMP/c.conf"
SC_PID=$BG_PID
wait_up "$CNS" sstpc0 15 && ok "tunnel up" || { cat "$T_TMP/c.log" >&2; die "no tunnel"; }
wait_for 15 sh -c "ip -n $CNS -6 -o addr show dev sstpc0 scope global | grep -q 2001:db8:77:" \
    && ok "SLAAC address on sstpc0" || { cat "$T_TMP/c.log" >&2; die "no global IPv6 address"; }
A4=$(tunnel_addr "$CNS" sstpc0)

# --- the detail view, against the oracle
cat > "$T_TMP/oracle.py" <<'PY'
# Builds what VyOS's interfaces.py prints for `show interfaces sstpc IF`
# from `ip addr show` (same regex, same strip) and tabulate (same call),
# taking the counters from sstpc's own output; and checks those counters
# against the kernel's. Lifetimes in seconds count down between the two
# reads, so "NNNsec" is compared as "Nsec".
import json, re, subprocess, sys
from tabulate import tabulate
ns, ifname, path = sys.argv[1:4]
got = open(path).read()
ipa = subprocess.run(["ip", "-n", ns, "addr", "show", ifname], capture_output=True, text=True).stdout
head = re.sub(r"^\d+:\s+", "", ipa.strip())
alias = json.loads(subprocess.run(["ip", "-n", ns, "-j", "link", "show", ifname],
                                  capture_output=True, text=True).stdout)[0].get("ifalias", "")
lines = got.split("\n")
# our RX/TX figures: the lines after the RX: and TX: headings
def figures(key):
    for i, l in enumerate(lines):
        if l.split()[:1] == [key]:
            return [int(x) for x in lines[i + 1].split()]
    sys.exit("no %s block" % key)
rx, tx = figures("RX:"), figures("TX:")
tabs = [["RX:", "bytes", "packets", "errors", "dropped", "overrun", "mcast"], [""] + rx,
        ["TX:", "bytes", "packets", "errors", "dropped", "carrier", "collisions"], [""] + tx]
s = tabulate(tabs, stralign="right", numalign="right", tablefmt="plain")
want = head + "\n"
if alias:
    want += "    Description: %s\n" % alias
want += "\n" + "    " + s.replace("\n", "\n    ") + "\n\n"
mask = lambda t: re.sub(r"\d+sec", "Nsec", t)
if not mask(got).startswith(mask(want)):
    sys.stderr.write("--- want (prefix)\n%s--- got\n%s" % (want, got))
    sys.exit(1)
k = json.loads(subprocess.run(["ip", "-n", ns, "-s", "-j", "link", "show", ifname],
                              capture_output=True, text=True).stdout)[0]["stats64"]
kr = [k["rx"][f] for f in ("bytes", "packets", "errors", "dropped", "over_errors", "multicast")]
kt = [k["tx"][f] for f in ("bytes", "packets", "errors", "dropped", "carrier_errors", "collisions")]
# an idle tunnel: an RA or an MLD report may pass between the two reads
near = lambda a, b: all(0 <= y - x <= 2000 for x, y in zip(a, b))
if not (near(rx, kr) and near(tx, kt)):
    sys.exit("figures %s %s differ from the kernel's %s %s" % (rx, tx, kr, kt))
print("layout and figures match")
PY
detail_ok() {
    cli "$CNS" show interfaces sstpc sstpc0 > "$T_TMP/show.txt" 2>&1 \
        && "$PY" "$T_TMP/oracle.py" "$CNS" sstpc0 "$T_TMP/show.txt" 2> "$T_TMP/oracle.err"
}
# a Router Advertisement may refresh the lifetimes between the two reads: a few tries
if detail_ok || detail_ok || detail_ok; then
    ok "show sstpc0 = ip addr block + Description + VyOS's RX/TX table"
else
    cat "$T_TMP/oracle.err" >&2; fail "show sstpc0 differs from VyOS's layout"
fi
cat "$T_TMP/show.txt" >&2
head -n1 "$T_TMP/show.txt" | grep -Eq '^sstpc0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1400 qdisc [a-z_]+ state UNKNOWN group default qlen [0-9]+$' \
    && ok "header as ip addr prints a TUN" || fail "header: $(head -n1 "$T_TMP/show.txt")"
grep -q "^    link/none *$" "$T_TMP/show.txt" && grep -q "valid_lft" "$T_TMP/show.txt" \
    && ok "link/none and lifetimes" || fail "link/none or valid_lft missing"
grep -q "^    state connected$" "$T_TMP/show.txt" && ok "tunnel facts follow" || fail "no tunnel facts"

# --- the summary table, against interfaces.py's format
cat > "$T_TMP/summary.py" <<'PY'
import json, subprocess, sys
ns, path = sys.argv[1:3]
f1, f2 = "%-16s %-33s %-4s %s", "%-16s %s"
out = ["Codes: S - State, L - Link, u - Up, D - Down, A - Admin Down",
       f1 % ("Interface", "IP Address", "S/L", "Description"),
       f1 % ("---------", "----------", "---", "-----------")]
for ifname in ["sstpc0"]:
    link = json.loads(subprocess.run(["ip", "-n", ns, "-j", "addr", "show", ifname],
                                     capture_output=True, text=True).stdout)[0]
    addrs = [a["local"] + "/" + str(a["prefixlen"]) for fam in ("inet", "inet6")
             for a in link["addr_info"] if a["family"] == fam and not a["local"].startswith("fe80::")]
    admin = "u" if "UP" in link["flags"] else "A"
    oper = "u" if link["operstate"] in ("UP", "UNKNOWN") else "D"
    alias = json.loads(subprocess.run(["ip", "-n", ns, "-j", "link", "show", ifname],
                                      capture_output=True, text=True).stdout)[0].get("ifalias", "")
    descs = [alias]
    rows, first = addrs or ["-"], True
    while rows or descs:
        a = rows.pop(0) if rows else ""
        d = descs.pop(0) if descs else ""
        i, sl = (ifname, admin + "/" + oper) if first else ("", "")
        first = False
        if len(a) < 33:
            out.append(f1 % (i, a, sl, d))
        else:
            out.append(f2 % (i, a)); out.append(f1 % ("", "", sl, d))
want = "\n".join(out) + "\n"
got = open(path).read()
if got != want:
    sys.exit("--- want\n%s--- got\n%s" % (want, got))
print(want, end="")
PY
cli "$CNS" show interfaces sstpc > "$T_TMP/table.txt" 2>&1
"$PY" "$T_TMP/summary.py" "$CNS" "$T_TMP/table.txt" >&2 && ok "summary table = interfaces.py's format" \
    || fail "summary table differs"
grep -Eq "^sstpc0 +$A4/32 +u/u +Branch uplink$" "$T_TMP/table.txt" && grep -Eq "^ +2001:db8:77:[0-9a-f:]+/64 *$" "$T_TMP/table.txt" \
    && ok "table lists $A4/32 and the IPv6 address" || fail "table rows: $(cat "$T_TMP/table.txt")"
grep -q "fe80::" "$T_TMP/table.txt" && fail "table lists a link-local address" || ok "no link-local in the table"

# --- detail, statistics, log
cli "$CNS" show interfaces sstpc detail > "$T_TMP/detail.txt" 2>&1
head -n1 "$T_TMP/detail.txt" | grepq "^sstpc0: <" && grep -q "Description: Branch uplink" "$T_TMP/detail.txt" \
    && ok "detail lists sstpc0 in full" || fail "detail: $(head -n3 "$T_TMP/detail.txt")"
cli "$CNS" show interfaces sstpc sstpc0 statistics > "$T_TMP/stats.txt" 2>&1
"$PY" - "$T_TMP/stats.txt" <<'PY' && ok "statistics: pppstats' columns" || fail "statistics: $(cat "$T_TMP/stats.txt")"
import sys
l = open(sys.argv[1]).read().split("\n")
assert l[0] == "%8.8s %6.6s %6.6s %6.6s %6.6s  | %8.8s %6.6s %6.6s %6.6s %6.6s" % (
    "IN", "PACK", "VJCOMP", "VJUNC", "VJERR", "OUT", "PACK", "VJCOMP", "VJUNC", "NON-VJ"), l[0]
left, right = l[1].split("  | ")
v = [int(x) for x in left.split()] + [int(x) for x in right.split()]
assert len(v) == 10 and v[0] > 0 and v[1] > 0 and v[9] == v[6], v
PY
cli "$CNS" show interfaces sstpc sstpc0 log > "$T_TMP/log.txt" 2>&1
cat "$T_TMP/log.txt" >&2
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ (notice|info): ' "$T_TMP/log.txt" \
    && grep -q "tunnel up" "$T_TMP/log.txt" && ok "log: the daemon's recent lines ($(wc -l < "$T_TMP/log.txt"))" \
    || fail "log: no recent lines"
# every line of the ring is one the daemon logged
bad=0
while IFS= read -r l; do
    grep -qF -- "${l#* * }" "$T_TMP/c.log" || bad=$((bad + 1))
done < "$T_TMP/log.txt"
[ "$bad" = 0 ] && ok "log lines = the daemon's stderr lines" || fail "$bad log lines not in the daemon's log"
grep -qF "$SD_PASSWORD" "$T_TMP/log.txt" && fail "password in the log" || ok "no password in the log"

# --- clear interfaces connection: a new session at once
n1=$(grep -c ': accepted$' "$SD_LOG")
cli "$CNS" clear interfaces connection sstpc0 > "$T_TMP/clear.txt" 2>&1 && ok "clear: exit 0" \
    || { cat "$T_TMP/clear.txt" >&2; fail "clear: exit $?"; }
wait_for 15 sh -c "[ \$(grep -c ': accepted$' '$SD_LOG') -gt $n1 ]" && ok "sstpd saw a new connection" \
    || fail "no new connection after clear"
wait_for 20 sh -c "ip netns exec $CNS env SSTPC_RUN_DIR=$RUN $SSTPC show interfaces sstpc sstpc0 | grep -q '^    reconnects 1$'" \
    && ok "show: reconnects 1" || fail "show does not count the reconnect"
wait_for 20 sh -c "ip netns exec $CNS env SSTPC_RUN_DIR=$RUN $SSTPC show interfaces sstpc sstpc0 | grep -q '^    state connected$'" \
    && wait_up "$CNS" sstpc0 10 && ok "tunnel back up: $(tunnel_addr "$CNS" sstpc0)" || fail "not up after clear"
ip netns exec "$CNS" ping -c 1 -W 2 "$SD_LOCAL" >/dev/null 2>&1 && ok "ping after clear" || fail "ping after clear"
grep -q "reconnecting at the administrator's request" "$T_TMP/c.log" && ok "the reason is logged" \
    || fail "no reason logged for the reconnect"

# --- a second sstpc0 (bob) in another namespace, same run directory, to
# the same server over a veth of its own
mk_netns "$CNS2"
veth_pair "$CNS2" 10.200.9.1/24 "$SNS" 10.200.9.2/24
ip -n "$CNS2" route add 10.200.8.0/24 via 10.200.9.2
sd_conf "$T_TMP/d.conf" "description 'Other tenant'"
sed -i -e "s/^authentication username .*/authentication username $SD_USER2/" \
    -e "s/^authentication password .*/authentication password '$SD_PASSWORD2'/" "$T_TMP/d.conf"
bg "$CNS2" "$T_TMP/d.log" env SSTPC_RUN_DIR="$RUN" SSTPC_RESOLV_CONF="$T_TMP/resolv2" "$SSTPC" -c "$T_TMP/d.conf"
D_PID=$BG_PID
wait_for 15 has_addr "$CNS2" sstpc0 && ok "second sstpc0 up: $(tunnel_addr "$CNS2" sstpc0)" \
    || { cat "$T_TMP/d.log" >&2; fail "second sstpc0 not up"; }
grep -q "in use" "$T_TMP/d.log" && fail "control socket collision: $(grep 'in use' "$T_TMP/d.log")" \
    || ok "no control socket collision"
[ "$(ls "$RUN" | grep -c '^sstpc0\.[0-9]*\.sock$')" = 2 ] && ok "two sockets in one run directory: $(ls "$RUN" | tr '\n' ' ')" \
    || fail "run directory: $(ls "$RUN")"
B4=$(tunnel_addr "$CNS2" sstpc0)
cli "$CNS2" show interfaces sstpc sstpc0 > "$T_TMP/show2.txt" 2>&1
grep -q "Description: Other tenant" "$T_TMP/show2.txt" && grep -q "^    ipv4 $B4 peer" "$T_TMP/show2.txt" \
    && ok "namespace 2: its own sstpc0 ($B4)" || fail "namespace 2: $(cat "$T_TMP/show2.txt")"
cli "$CNS" show interfaces sstpc sstpc0 > "$T_TMP/show1.txt" 2>&1
A4=$(tunnel_addr "$CNS" sstpc0)
grep -q "Description: Branch uplink" "$T_TMP/show1.txt" && grep -q "^    ipv4 $A4 peer" "$T_TMP/show1.txt" \
    && [ "$A4" != "$B4" ] && ok "namespace 1: its own sstpc0 ($A4)" || fail "namespace 1: $(cat "$T_TMP/show1.txt")"
cli "$CNS2" show interfaces sstpc > "$T_TMP/table2.txt"
grep -Eq "^sstpc0 +$B4/32 +u/u +Other tenant$" "$T_TMP/table2.txt" && [ "$(grep -c '^sstpc' "$T_TMP/table2.txt")" = 1 ] \
    && ok "namespace 2's table lists only its own" || fail "namespace 2 table: $(cat "$T_TMP/table2.txt")"
cli "$CNS2" clear interfaces connection sstpc0 >/dev/null && ok "clear in namespace 2" || fail "clear in namespace 2"
wait_for 15 grep -q "reconnecting at the administrator" "$T_TMP/d.log" && ok "namespace 2's daemon reconnects" \
    || fail "namespace 2's daemon did not get the clear"
[ "$(grep -c "reconnecting at the administrator" "$T_TMP/c.log")" = 1 ] && ok "namespace 1's daemon untouched" \
    || fail "namespace 1's daemon got the second clear"

stop_pid "$D_PID" 10; [ "$STOP_RC" = 0 ] || fail "second client: exit $STOP_RC"
stop_client "$SC_PID" "$CNS" sstpc0 "client"
ls "$RUN"/*.sock >/dev/null 2>&1 && fail "control sockets left: $(ls "$RUN")" || ok "control sockets removed"
stop_pid "$SD_PID" 5
finish
