-- core.compliance_base was a table of older builds; it is now the TEMP view
-- temp.compliance_base of the build's connection (sql/indicators/200_compliance_base.sql).
DROP TABLE IF EXISTS core.compliance_base;
