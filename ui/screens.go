package ui

import (
	"relman/ui/approvals"
	"relman/ui/changelog"
	"relman/ui/changes"
	"relman/ui/common"
	"relman/ui/compare"
	"relman/ui/deploy"
	"relman/ui/editor"
	"relman/ui/environments"
	"relman/ui/logs"
	"relman/ui/review"
	"relman/ui/rollback"
)

// Screens builds every screen once; the root keeps them for the whole run.
func Screens(deps common.Deps) map[common.ScreenID]common.Screen {
	return map[common.ScreenID]common.Screen{
		common.ScreenChanges:           changes.NewList(deps),
		common.ScreenChangeDetail:      changes.NewDetail(deps),
		common.ScreenEditor:            editor.New(deps),
		common.ScreenApprovals:         approvals.New(deps),
		common.ScreenEnvironments:      environments.NewList(deps),
		common.ScreenEnvironmentEditor: environments.NewEditor(deps),
		common.ScreenCompare:           compare.New(deps),
		common.ScreenReview:            review.New(deps),
		common.ScreenDeployments:       deploy.NewList(deps),
		common.ScreenDeployment:        deploy.NewDetail(deps),
		common.ScreenLogs:              logs.New(deps),
		common.ScreenRollback:          rollback.New(deps),
		common.ScreenChangeLogs:        changelog.New(deps),
	}
}
