package app_test

import (
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestMain(m *testing.M) { apptest.Main(m) }
