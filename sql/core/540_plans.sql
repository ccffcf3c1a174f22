-- core.plans: the procurement plan entries (RUP) of every source (ISB's SiRUP today).
-- creates: core.plans
-- depends: core.isb_plans
CREATE OR REPLACE TABLE core.plans AS SELECT * FROM core.isb_plans;
