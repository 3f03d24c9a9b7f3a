/**
 * The tip of the day: a catalog of practical car care, each tip with a topic so it can be
 * chosen to match what the garage has coming up (an oil change due soon → an oil tip), and the
 * per-garage daily pick from it.
 */
import { dayNumber, isDate } from '../../lib/domain/dates.ts'
import { invalid } from '../../lib/domain/invalid.ts'
import { DEFAULT_NUMBER_FORMAT, type NumberFormat } from '../../lib/domain/numbers.ts'
import { inFormat } from '../../lib/domain/text.ts'

export type Topic =
  | 'oil'
  | 'tyres'
  | 'brakes'
  | 'battery'
  | 'coolant'
  | 'filters'
  | 'wipers'
  | 'fuel'
  | 'belts'
  | 'lights'
  | 'fluids'
  | 'climate'
  | 'driving'
  | 'records'
  | 'body'

export const TIPS: readonly { topic: Topic; text: string }[] = [
  {
    topic: 'oil',
    text: 'Check the oil with the car on level ground and the engine off for a few minutes: pull the dipstick, wipe it, dip it again and read between the two marks.',
  },
  {
    topic: 'oil',
    text: "Use the oil grade in the owner's manual (e.g. 0W-20). A thicker oil than specified can slow cold-start lubrication and hurt economy.",
  },
  {
    topic: 'oil',
    text: 'Short trips, towing, dusty roads and stop-and-go traffic count as "severe service": many manuals then ask for oil changes at about half the normal interval.',
  },
  {
    topic: 'oil',
    text: 'Milky, light-brown oil on the dipstick can mean coolant is getting into the oil (a head gasket, for example). Have it checked before driving far.',
  },
  {
    topic: 'oil',
    text: 'Change the oil filter with every oil change; a clogged filter opens its bypass valve and lets unfiltered oil through the engine.',
  },
  {
    topic: 'oil',
    text: 'Even a car that is hardly driven needs its oil changed at least once a year: oil ages and collects moisture while the car sits.',
  },
  {
    topic: 'tyres',
    text: "Check tyre pressure monthly and before long trips, with the tyres cold. The right figure is on the sticker in the driver's door jamb, not on the tyre sidewall.",
  },
  {
    topic: 'tyres',
    text: "The penny test: put a coin into the tread groove; if you can see the top of Lincoln's head (about 2/32 in, 1.6 mm), the tyre is at the legal limit. Replace at 4/32 in (3 mm) for wet roads.",
  },
  {
    topic: 'tyres',
    text: 'Rotate tyres every 5,000-8,000 miles (8,000-13,000 km) so they wear evenly and last longer.',
  },
  {
    topic: 'tyres',
    text: "A tyre's age is on the sidewall: the last four digits of the DOT code are the week and year it was made. Most makers advise replacing tyres after 6-10 years whatever the tread.",
  },
  {
    topic: 'tyres',
    text: 'Uneven wear on the inner or outer edge of a tyre usually means the wheels are out of alignment; an alignment is cheaper than new tyres.',
  },
  {
    topic: 'tyres',
    text: 'Tyre pressure drops about 1 psi for every 10 °F (5.6 °C) fall in temperature: check again after the first cold morning of autumn.',
  },
  {
    topic: 'tyres',
    text: "Check the spare tyre's pressure too, and that the jack and wheel wrench are in the car. A flat spare is no spare.",
  },
  {
    topic: 'brakes',
    text: "A high-pitched squeal when braking is often the pads' wear indicator; grinding means metal on metal. Book the brakes before grinding turns a pad job into rotors too.",
  },
  {
    topic: 'brakes',
    text: 'Brake fluid absorbs water from the air, which lowers its boiling point. Most makers ask for a brake fluid change every 2-3 years regardless of mileage.',
  },
  {
    topic: 'brakes',
    text: 'A soft or sinking brake pedal can mean air or a leak in the hydraulics. Do not wait: have it checked right away.',
  },
  {
    topic: 'brakes',
    text: 'If the car pulls to one side under braking, a caliper may be sticking or a hose collapsing; both get worse, not better.',
  },
  {
    topic: 'brakes',
    text: 'After new pads, bed them in as the shop advises (a series of moderate stops from speed) so they grip evenly and do not glaze.',
  },
  {
    topic: 'battery',
    text: 'Most car batteries last 3-5 years; heat shortens that. A slow crank on a cold morning is the warning to have it tested.',
  },
  {
    topic: 'battery',
    text: 'White or green crust on the battery terminals raises resistance. Clean it with a baking-soda solution and a brush, then protect the posts with a little grease.',
  },
  {
    topic: 'battery',
    text: 'A car that sits for weeks can drain its battery; a smart maintenance charger (trickle charger) keeps it healthy.',
  },
  {
    topic: 'battery',
    text: 'When jump-starting, connect the last black clamp to bare metal on the engine of the dead car, away from the battery, to avoid a spark near battery gases.',
  },
  {
    topic: 'battery',
    text: 'A healthy battery reads about 12.6 V with the engine off and 13.7-14.7 V with it running; outside that, have the battery or the alternator checked.',
  },
  {
    topic: 'coolant',
    text: 'Never open a hot radiator cap: the coolant is under pressure and can scald. Check the level in the expansion tank with the engine cold.',
  },
  {
    topic: 'coolant',
    text: 'Use the coolant type the manual names (OAT, HOAT…); mixing types can form sludge. Long-life coolants still need changing, often at 5 years or 100,000 miles.',
  },
  {
    topic: 'coolant',
    text: 'A sweet smell, steam, or a temperature gauge climbing above normal means stop soon and let the engine cool: overheating can warp the cylinder head.',
  },
  {
    topic: 'coolant',
    text: 'Coolant also protects against freezing; a cheap hydrometer or test strips tell you whether the mix still does.',
  },
  {
    topic: 'filters',
    text: 'A clogged engine air filter costs power, and on older engines fuel. Hold it up to a light: if little light gets through, replace it.',
  },
  {
    topic: 'filters',
    text: 'The cabin air filter cleans the air you breathe in the car; replace it yearly, or sooner if the fan seems weak or the windows fog up.',
  },
  {
    topic: 'filters',
    text: 'Fuel filters are forgotten on many cars; check whether yours has a serviceable one and its interval in the manual.',
  },
  {
    topic: 'wipers',
    text: 'Replace wiper blades every 6-12 months, or as soon as they streak or chatter. Lift them off the glass before a freeze.',
  },
  {
    topic: 'wipers',
    text: "Wipe the blades' rubber edge with a cloth and washer fluid now and then; grit on the blades scratches the windscreen.",
  },
  {
    topic: 'wipers',
    text: 'Use a winter washer fluid rated below your coldest night; plain water freezes in the lines and can crack the reservoir.',
  },
  {
    topic: 'fuel',
    text: 'Smooth driving saves fuel: gentle acceleration, anticipating stops and keeping to the speed limit can cut consumption by 10-20% on the same trip.',
  },
  {
    topic: 'fuel',
    text: 'Extra weight and roof boxes cost fuel. Take the roof box off when you do not need it; at motorway speeds it adds noticeable drag.',
  },
  {
    topic: 'fuel',
    text: 'For honest fuel economy, fill the tank to full each time and log every fill-up. Log a partial fill-up as partial, and note a missed one, so the figures stay right.',
  },
  {
    topic: 'fuel',
    text: 'Use the octane the manual requires. Higher octane than required gives no benefit in an engine not designed for it.',
  },
  {
    topic: 'fuel',
    text: 'A sudden drop in fuel economy is a symptom: under-inflated tyres, a dragging brake or a failing sensor often show up in the fuel log first.',
  },
  {
    topic: 'fuel',
    text: 'Idling more than about 10 seconds uses more fuel than restarting a warm modern engine; switch off when parked and waiting.',
  },
  {
    topic: 'belts',
    text: 'A timing belt that breaks can wreck an interference engine. Replace it at the interval in the manual, by miles or years, whichever comes first, and the water pump with it if it is belt-driven.',
  },
  {
    topic: 'belts',
    text: 'A squeal at start-up or with the steering on full lock often comes from a worn or loose accessory (serpentine) belt; look for cracks on its ribbed side.',
  },
  {
    topic: 'lights',
    text: 'Walk around the car with the lights on once a month, brake lights included (use a reflection or a helper). A dead bulb is a reason to be stopped, and to be hit.',
  },
  {
    topic: 'lights',
    text: 'Cloudy headlight lenses can cut light output a lot; a restoration kit or new lenses bring it back.',
  },
  {
    topic: 'lights',
    text: 'A check-engine light that stays on means book a diagnosis; one that flashes means a misfire that can damage the catalytic converter: reduce speed and get it seen soon.',
  },
  {
    topic: 'lights',
    text: 'A loose fuel cap is one of the most common causes of a check-engine light; tighten it until it clicks.',
  },
  {
    topic: 'fluids',
    text: 'Check power-steering, brake and washer fluid levels when you check the oil; a level that keeps dropping means a leak.',
  },
  {
    topic: 'fluids',
    text: 'Look at the ground where the car is parked: red drops suggest transmission or power-steering fluid, green or orange coolant, dark brown oil, clear water is usually A/C condensation.',
  },
  {
    topic: 'fluids',
    text: 'Automatic transmission fluid is often sold as "lifetime", but many transmissions live longer with a fluid change every 60,000 miles (100,000 km).',
  },
  {
    topic: 'climate',
    text: 'Run the air conditioning for 10 minutes at least once a month, even in winter: it keeps the seals lubricated and demists the windows faster.',
  },
  {
    topic: 'climate',
    text: 'A musty smell from the vents often comes from the evaporator; a new cabin filter and an evaporator cleaner usually fix it.',
  },
  {
    topic: 'climate',
    text: 'In winter, keep an ice scraper, a blanket, a torch and a charged phone power bank in the car.',
  },
  {
    topic: 'driving',
    text: 'Let the engine run gently for the first few minutes rather than idling it warm; it warms faster under light load and wears less.',
  },
  {
    topic: 'driving',
    text: 'New vibration through the steering wheel at certain speeds is usually wheel balance; at braking it is usually warped rotors.',
  },
  {
    topic: 'driving',
    text: 'Do not rest a hand on the gear lever of a manual car or ride the clutch pedal: both wear parts that cost hours of labour to replace.',
  },
  {
    topic: 'driving',
    text: "If you tow, check the manual's towing limits and service schedule; towing counts as severe service for oil, transmission and brakes.",
  },
  {
    topic: 'records',
    text: 'Keep every service receipt: a full service history raises resale value and settles warranty claims. Logging each job here with its cost does exactly that.',
  },
  {
    topic: 'records',
    text: 'Get two or three written quotes for a big repair, itemised as parts and labour; comparing labour hours shows quickly whether a quote is padded.',
  },
  {
    topic: 'records',
    text: 'Ask the shop to give back the old parts; it is a simple way to know the work was done.',
  },
  {
    topic: 'records',
    text: "Check for open safety recalls with the VIN on the maker's or the road authority's website; recall repairs are free.",
  },
  {
    topic: 'records',
    text: 'Write down odometer readings now and then even when nothing is due: they let reminders project when a distance-based service will fall due.',
  },
  {
    topic: 'body',
    text: 'Wash the underside of the car after winter: road salt speeds up rust on brake lines and the floor.',
  },
  {
    topic: 'body',
    text: 'Bird droppings and tree sap etch paint within days in the sun; wash them off promptly.',
  },
  {
    topic: 'body',
    text: 'Touch up stone chips before winter; bare metal rusts and spreads under the paint.',
  },
  {
    topic: 'body',
    text: 'Clear leaves from the drains below the windscreen and around the sunroof; blocked drains let water into the cabin and the electrics.',
  },
]

/** Words in a maintenance item's name that point at a topic. */
const TOPIC_WORDS: [RegExp, Topic][] = [
  [/oil|lube/i, 'oil'],
  [/tyre|tire|rotation|alignment|wheel/i, 'tyres'],
  [/brake|pad|rotor|disc/i, 'brakes'],
  [/batter/i, 'battery'],
  [/coolant|radiator|antifreeze|thermostat/i, 'coolant'],
  [/filter/i, 'filters'],
  [/wiper|washer/i, 'wipers'],
  [/belt|chain/i, 'belts'],
  [/light|bulb|lamp/i, 'lights'],
  [/fluid|transmission|gearbox|steering/i, 'fluids'],
  [/a\/c|air con|climate|cabin/i, 'climate'],
  [/inspection|registration|recall|insurance/i, 'records'],
]

export function topicOf(text: string): Topic | null {
  for (const [pattern, topic] of TOPIC_WORDS) if (pattern.test(text)) return topic
  return null
}

// ——— the tip of the day ———

/** FNV-1a, 32 bits: a small stable hash (the same tenant gives the same tips on every machine). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * Position `day` of a per-tenant walk through `n` items: start and stride come from the
 * tenant's hash and the stride is coprime with n, so the same tenant gets the same item all
 * day, a different one the next day, and every item once in n days.
 */
export function dailyIndex(tenant: string, day: number, n: number): number {
  if (n <= 1) return 0
  const h = fnv1a(tenant)
  let step = 1 + (fnv1a(`${tenant}#step`) % (n - 1))
  while (gcd(step, n) !== 1) step = (step % (n - 1)) + 1
  return ((((h % n) + (day % n) * step) % n) + n) % n
}

export function tipOfTheDay(
  tenant: string,
  date: string,
  focus?: { text?: string; topic?: string },
  numbers: NumberFormat = DEFAULT_NUMBER_FORMAT,
) {
  if (!isDate(date)) throw invalid('date', `${date} is not a date`)
  const day = dayNumber(date)
  const topic: Topic | null = focus?.topic ? topicOf(focus.topic) : focus?.text ? topicOf(focus.text) : null
  const pool = topic ? TIPS.filter((t) => t.topic === topic) : TIPS
  const chosen = pool[dailyIndex(tenant, day, pool.length)]!
  return {
    date,
    focus: focus?.text ?? null,
    tip: { number: TIPS.indexOf(chosen) + 1, topic: chosen.topic, text: numbersIn(chosen.text, numbers) },
    relevant: topic !== null,
    catalogSize: TIPS.length,
  }
}

/**
 * The numbers of a tip (written the 1,234.5 way: "5,000-8,000 miles", "12.6 V") in the garage's
 * format; only the numbers, so the sentence's own commas and full stops stay.
 */
function numbersIn(text: string, numbers: NumberFormat): string {
  return text.replace(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+/g, (n) => inFormat(n, numbers))
}
