-- Ids back to the database's default collation.
DO $$
DECLARE t record;
BEGIN
    FOR t IN
        SELECT c.table_name,
               string_agg(format('ALTER COLUMN %I TYPE text COLLATE "default"', c.column_name), ', ') AS alters
        FROM information_schema.columns c
        JOIN information_schema.tables r
          ON r.table_schema = c.table_schema AND r.table_name = c.table_name AND r.table_type = 'BASE TABLE'
        WHERE c.table_schema = current_schema() AND c.data_type = 'text'
          AND (c.column_name = 'id' OR c.column_name LIKE '%\_id')
        GROUP BY c.table_name
        ORDER BY c.table_name
    LOOP
        EXECUTE format('ALTER TABLE %I %s', t.table_name, t.alters);
    END LOOP;
END $$;
