package store

import (
	"strconv"

	"relman/model"
)

func deploymentName(id int64) string {
	return "deployment record " + model.FormatID(model.PrefixDeployment, id)
}

func logName(id int64) string { return "deployment log " + strconv.FormatInt(id, 10) }

func compareLogName(id int64) string {
	return "compare log " + model.FormatID(model.PrefixCompareLog, id)
}

// NextDeploymentID issues a new deployment record id.
func (tx *Tx) NextDeploymentID() (int64, error) { return tx.nextID(bucketDeployments) }

// PutDeployment stores a deployment record under its ID and keeps the
// awaiting index at who must decide on it.
func (tx *Tx) PutDeployment(d model.DeploymentRecord) error {
	tx.touch(model.EntityDeployment, d.Key())
	return tx.putAwaited(AwaitingDeployment, d.ID, deploymentName(d.ID), "NextDeploymentID", d,
		awaitingEntries(AwaitingDeployment, d.ID, d.UpdatedAt, d.Awaiting()))
}

// Deployment reads one deployment record.
func (tx *Tx) Deployment(id int64) (model.DeploymentRecord, error) {
	var d model.DeploymentRecord
	err := tx.getJSON(bucketDeployments, id, deploymentName(id), &d)
	return d, err
}

// ListDeployments lists the deployment records of change request cr (0 = of
// every change request), oldest first.
func (tx *Tx) ListDeployments(cr int64) ([]model.DeploymentRecord, error) {
	return listJSON(tx, bucketDeployments, deploymentName, func(d *model.DeploymentRecord) bool {
		return cr == 0 || d.CR == cr
	})
}

// NextLogID issues a new deployment log id.
func (tx *Tx) NextLogID() (int64, error) { return tx.nextID(bucketLogs) }

// PutLog stores a deployment log under its ID.
func (tx *Tx) PutLog(l model.DeploymentLog) error {
	return tx.putJSON(bucketLogs, l.ID, logName(l.ID), "NextLogID", l)
}

// Log reads one deployment log.
func (tx *Tx) Log(id int64) (model.DeploymentLog, error) {
	var l model.DeploymentLog
	err := tx.getJSON(bucketLogs, id, logName(id), &l)
	return l, err
}

// ListLogs lists the logs of deployment record deployment (0 = of every
// record), oldest first.
func (tx *Tx) ListLogs(deployment int64) ([]model.DeploymentLog, error) {
	return listJSON(tx, bucketLogs, logName, func(l *model.DeploymentLog) bool {
		return deployment == 0 || l.Deployment == deployment
	})
}

// NextCompareLogID issues a new compare log id.
func (tx *Tx) NextCompareLogID() (int64, error) { return tx.nextID(bucketCompareLogs) }

// PutCompareLog stores a compare log under its ID.
func (tx *Tx) PutCompareLog(c model.CompareLog) error {
	return tx.putJSON(bucketCompareLogs, c.ID, compareLogName(c.ID), "NextCompareLogID", c)
}

// CompareLog reads one compare log.
func (tx *Tx) CompareLog(id int64) (model.CompareLog, error) {
	var c model.CompareLog
	err := tx.getJSON(bucketCompareLogs, id, compareLogName(id), &c)
	return c, err
}

// ListCompareLogs lists the compare logs run for change request cr (0 = all
// compare logs), oldest first.
func (tx *Tx) ListCompareLogs(cr int64) ([]model.CompareLog, error) {
	return listJSON(tx, bucketCompareLogs, compareLogName, func(c *model.CompareLog) bool {
		return cr == 0 || c.CR == cr
	})
}

func rollbackName(id int64) string { return "rollback " + model.FormatID(model.PrefixRollback, id) }

// NextRollbackID issues a new rollback id.
func (tx *Tx) NextRollbackID() (int64, error) { return tx.nextID(bucketRollbacks) }

// PutRollback stores a rollback under its ID and keeps the awaiting index
// at who must decide on it.
func (tx *Tx) PutRollback(r model.Rollback) error {
	tx.touch(model.EntityRollback, r.Key())
	return tx.putAwaited(AwaitingRollback, r.ID, rollbackName(r.ID), "NextRollbackID", r,
		awaitingEntries(AwaitingRollback, r.ID, r.UpdatedAt, r.Awaiting()))
}

// Rollback reads one rollback.
func (tx *Tx) Rollback(id int64) (model.Rollback, error) {
	var r model.Rollback
	err := tx.getJSON(bucketRollbacks, id, rollbackName(id), &r)
	return r, err
}

// ListRollbacks lists the rollbacks of deployment record deployment (0 =
// all), oldest first.
func (tx *Tx) ListRollbacks(deployment int64) ([]model.Rollback, error) {
	return listJSON(tx, bucketRollbacks, rollbackName, func(r *model.Rollback) bool {
		return deployment == 0 || r.Deployment == deployment
	})
}
