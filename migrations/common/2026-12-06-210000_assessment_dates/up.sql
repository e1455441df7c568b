-- A questionnaire may open later than it is sent (`opens_on`), and a paper form keeps the day it
-- was filled in (`completed_on`), which is the point's date in measures. Both `YYYY-MM-DD`.
ALTER TABLE assessments ADD COLUMN opens_on TEXT;
ALTER TABLE assessments ADD COLUMN completed_on TEXT;
