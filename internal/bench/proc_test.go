package bench

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	stat := "4242 (forge hook) S 1 4242 4242 0 -1 4194560 5000 0 0 0 150 25 0 0 20 0 9 0 100 1000000 3000 0"
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 175 * clockTick; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := parseStatCPU("4242 (x) S 1"); err == nil {
		t.Error("short line: want an error")
	}
}

func TestParseStatusKB(t *testing.T) {
	status := "Name:\tforgehook\nVmPeak:\t  200000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40000 kB\n"
	got, err := parseStatusKB(status, "VmHWM")
	if err != nil || got != 50<<20 {
		t.Errorf("got %d, %v; want %d", got, err, 50<<20)
	}
	if _, err := parseStatusKB(status, "VmSwap"); err == nil {
		t.Error("missing key: want an error")
	}
}

func TestSelfProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	cpu, err := CPUTime(os.Getpid())
	if err != nil || cpu < 0 || cpu > time.Hour {
		t.Errorf("CPUTime=%v, %v", cpu, err)
	}
	rss, err := PeakRSS(os.Getpid())
	if err != nil || rss <= 0 {
		t.Errorf("PeakRSS=%d, %v", rss, err)
	}
}
