-- The orchestrator's readiness check reads Flyway's history (every migration applied, none failed);
-- a login of the orchestrator role that did not run the migrations itself needs to see it.
GRANT SELECT ON TABLE flyway_schema_history TO tasker_orchestrator;
