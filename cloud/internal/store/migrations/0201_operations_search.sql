-- Indexes for the console's operations search (newest first, by operator,
-- by outcome). The table belongs to the CMS core; these only add indexes.
CREATE INDEX operations_at ON operations (at);
CREATE INDEX operations_operator ON operations (operator_cf, at);
CREATE INDEX operations_outcome ON operations (outcome, at);
