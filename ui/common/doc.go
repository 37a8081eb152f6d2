// Package common is the contract between relman's root model and its
// screens: the Screen interface, the messages screens send to navigate
// (OpenMsg, BackMsg), to report (ErrMsg, StatusMsg) and to learn that the
// store changed (StoreChangedMsg), and Deps, the dependencies every screen is
// built with.
//
// common may import ui/actions, ui/theme, model/... and the Charm libraries.
package common
