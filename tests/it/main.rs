//! The one integration-test binary: every test talks to the real `ombuds` binary or server.

mod deadline_cli;
