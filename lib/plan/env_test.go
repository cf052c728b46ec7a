package plan

import (
	"os"
	"strings"
	"testing"
)

// TestStageEnvMaxprocs: the stages get GOMAXPROCS=1 unless the
// administrator set GOMAXPROCS; our own connection's variables stay out.
func TestStageEnvMaxprocs(t *testing.T) {
	t.Setenv("TCPREMOTEIP", "192.0.2.9")
	t.Setenv("GOMAXPROCS", "") // restored after the test
	os.Unsetenv("GOMAXPROCS")
	env := strings.Join(StageEnv(), "\n")
	if !strings.Contains(env, "\nGOMAXPROCS=1") && !strings.HasPrefix(env, "GOMAXPROCS=1") {
		t.Errorf("no GOMAXPROCS=1 in %q", env)
	}
	if strings.Contains(env, "TCPREMOTEIP") {
		t.Errorf("TCPREMOTEIP passed on: %q", env)
	}
	t.Setenv("GOMAXPROCS", "4")
	env = strings.Join(StageEnv(), "\n")
	if strings.Contains(env, "GOMAXPROCS=1") || !strings.Contains(env, "GOMAXPROCS=4") {
		t.Errorf("the administrator's GOMAXPROCS=4 not kept: %q", env)
	}
}
