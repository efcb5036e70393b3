// Realistic name material for seed rows, including non-ASCII text on purpose.
export const FIRST_NAMES = ['Yvonne', 'Susanna', 'Nancy', 'Maria', 'Sidney', 'Scott', 'Robert', 'Paul', 'Rene', 'Jim', 'Patrick', 'Susan', 'Thomas',
  'José', 'Zoë', 'Łukasz', 'Søren', 'Amélie', 'Jürgen', 'Ngozi', 'Priya', 'Hiroshi', 'Chloé', 'Ana', 'Mateo', 'Olivia', 'Liam', 'Noah', 'Emma', 'Ava',
  'Sophia', 'Isabella', 'Mia', 'Lucas', 'Ethan', 'Aarav', 'Fatima', 'Yusuf', 'Mei', 'Björn', 'Dmitri', 'Kenji', 'Siobhán', 'Elif', 'Rafael'];
export const LAST_NAMES = ['McKay', 'Stubberod', 'Anderson', 'Campbell', 'Higa', 'Konersmann', 'Lyon', 'Cannon', 'Valdes', 'Glynn', 'Sands', 'Burk',
  'Andersen', "O'Brien", 'Müller', 'Núñez', 'Kowalski', 'Jørgensen', 'Dubois', 'Schäfer', 'Okafor', 'Patel', 'Tanaka', 'García', 'Rossi', 'Smith',
  'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Martínez', 'Wilson', 'Taylor', 'Nguyen', 'Kim', 'Chen', 'Öztürk', 'Ivanova', "O'Bryan"];
export const SAMPLE_ACCOUNTS = ['Fourth Coffee (sample)', 'Litware, Inc. (sample)', 'Adventure Works (sample)', 'Fabrikam, Inc. (sample)',
  'Blue Yonder Airlines (sample)', 'City Power & Light (sample)', 'Contoso Pharmaceuticals (sample)', 'Alpine Ski House (sample)',
  'A. Datum Corporation (sample)', 'Coho Winery (sample)'];
export const COMPANY_WORDS = ['Northwind', 'Tailspin', 'Wingtip', 'Proseware', 'Lamna', 'Trey', 'Woodgrove', 'Margie', 'Humongous', 'Wide World',
  'Graphic Design', 'Lucerne', 'Bellows', 'Fabrikam', 'Contoso', 'Datum', 'Relecloud', 'Munson', 'Southridge', 'VanArsdel', 'Zürich', 'Göteborg',
  'São Paulo', 'Kraków', 'Ålesund', 'Café Lumière'];
export const COMPANY_SUFFIXES = ['Inc.', 'Ltd', 'GmbH', 'Traders', 'Partners', 'Group', 'Industries', 'Holdings', 'S.A.', 'AG', 'Co.', 'Systems'];
export const CITIES: [string, string, string][] = [
  ['Redmond', 'WA', 'United States'], ['Seattle', 'WA', 'United States'], ['Portland', 'OR', 'United States'], ['Dallas', 'TX', 'United States'],
  ['New York', 'NY', 'United States'], ['Toronto', 'ON', 'Canada'], ['München', 'BY', 'Germany'], ['Zürich', 'ZH', 'Switzerland'],
  ['São Paulo', 'SP', 'Brazil'], ['Kraków', 'MA', 'Poland'], ['Tokyo', '13', 'Japan'], ['Lyon', 'ARA', 'France'], ['Sydney', 'NSW', 'Australia']];
export const JOB_TITLES = ['Purchasing Manager', 'CEO', 'CFO', 'Sales Director', 'IT Manager', 'Operations Lead', 'Buyer', 'Engineer', null];
export const SUBJECTS = ['Follow up on proposal', 'Schedule demo', 'Send pricing', 'Call back about order', 'Review contract', 'Discuss renewal',
  'Confirm delivery date', 'Résumé review', 'Kick-off meeting', 'Quarterly business review'];
export const PRODUCTS = ['Coffee Grinder', 'Espresso Machine', 'Milk Frother', 'Water Filter', 'Cleaning Kit', 'Bean Hopper', 'Tamper', 'Cup Set',
  'Descaler', 'Service Plan'];
