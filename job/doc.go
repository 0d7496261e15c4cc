// Package job is the model of a nightly job file (minicrm-bulk run
// JOB.yaml): the connection by environment-variable names, the state and
// output directories, and the steps (import, feed build and push, export)
// in order; a lock so that one job never runs twice at once; and the run
// report (JSON, a one-screen text summary, HTML with a chart).
//
// Run executes the steps in this process, calling the library with each
// step's typed options (pipeline.Import, xmlfeed.BuildFile and Push,
// export.Export) as the corresponding command does, with a client per step
// whose Stats give the step's request counts; the clients of one run share
// one restapi.Budget, since MiniCRM counts the system's requests.
package job
