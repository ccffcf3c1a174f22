-- view indicator_settings: every threshold, date and band the compliance checks, PFA scores and metrics use, with its basis.
-- Why: a number an official may dispute must show where it comes from; watchdogs change a setting in pantau.toml [indicators], never in SQL.
-- Source: core.settings (sql/indicators/050_settings.sql: defaults; core.setting_overrides: the configured values).
-- column name: the setting's name (the key under [indicators] in pantau.toml)
-- column value: the value in use, JSON
-- column default_value: pantau's default, JSON
-- column overridden: true when pantau.toml sets it
-- column unit: what the number means
-- column status: law, icw, secondary (verify before citing), pantau (an operational choice), unset (off until configured), or configured
-- column basis: the regulation or publication behind it
-- depends: core.settings
CREATE OR REPLACE VIEW main.indicator_settings AS
SELECT name, value, default_value, overridden, unit, status, basis FROM core.settings;
