"""Invented wire stories for the dedupe evaluation: each event told twice, independently, in
two agency styles (``a``: Reuters-like, ``b``: AP/AFP-like), plus a paragraph a write-through
would add. All text is made up for this evaluation; places are real, people and figures are not."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EVENTS", "Event"]


@dataclass(frozen=True)
class Event:
    slug: str
    city: str
    a: tuple[str, ...]
    b: tuple[str, ...]
    more: str


EVENTS: tuple[Event, ...] = (
    Event(
        "lisbon-trams",
        "LISBON",
        (
            "Lisbon's tram drivers walked out on Thursday in a dispute over night shifts, leaving the city's hilltop lines silent and tourists queueing for buses, the operator Carris said.",
            "The union said drivers had worked unpaid overtime for months because the company had not hired enough staff to cover the summer timetable.",
            "Carris said it regretted the stoppage and was ready to meet union leaders on Friday morning at the labour ministry.",
        ),
        (
            "Trams stood idle across Lisbon as drivers began a one-day strike, with the famous yellow number 28 among the routes cancelled during the busiest week of the tourist season.",
            "Union official Rui Matos said staff shortages had forced drivers into extra night work without proper pay and that patience had run out.",
            "Visitors at Martim Moniz square were directed to replacement minibuses, which quickly filled up.",
        ),
        "Talks ended without agreement late on Friday and the union said a second stoppage was planned for next Wednesday.",
    ),
    Event(
        "iowa-flood",
        "DES MOINES",
        (
            "The Des Moines River rose above flood stage on Sunday after three days of heavy rain, forcing the evacuation of about 400 homes in low-lying parts of the city, officials said.",
            "The National Weather Service said the river would crest on Tuesday at nearly four feet above flood level, the highest reading since 2008.",
            "Governor Ellen Marsh declared a disaster emergency for six counties and sent National Guard troops to help fill sandbags.",
        ),
        (
            "Hundreds of families packed up and left their houses as floodwater crept through the south side of Des Moines, where volunteers worked through the night stacking sandbags along the levee.",
            "Forecasters expect the river to peak early in the week, and city engineer Paul Ruiz warned that two pumping stations could fail if the water kept rising.",
            "Shelters opened at a high school and at the state fairgrounds, where the Red Cross handed out cots and hot meals.",
        ),
        "By Monday afternoon the river had breached a secondary levee near the water treatment plant, and residents were told to boil drinking water.",
    ),
    Event(
        "zugspitze-snow",
        "GARMISCH-PARTENKIRCHEN",
        (
            "Germany's highest mountain, the Zugspitze, recorded more than a metre of fresh snow in 24 hours, closing the cog railway and stranding around 300 skiers at the summit station overnight.",
            "The operator said all guests were safe and had been given blankets and food, and that the line would reopen once avalanche crews had cleared the track.",
            "Meteorologists said the storm was unusual for March and warned of further heavy falls across the Bavarian Alps.",
        ),
        (
            "Hundreds of skiers spent the night on the Zugspitze after a sudden spring blizzard buried the railway to the peak under deep drifts.",
            "Rescue teams used snowcats to check the line for avalanche danger while staff at the summit restaurant served soup and laid out mattresses.",
            "The German weather service issued a warning for heavy snow in the Alps until Wednesday.",
        ),
        "The railway resumed service at noon on Tuesday and the first group of stranded skiers reached the valley station shortly afterwards.",
    ),
    Event(
        "rotterdam-port",
        "ROTTERDAM",
        (
            "Dock workers at the port of Rotterdam stopped work at three container terminals on Tuesday in a row over automation, halting most loading at Europe's biggest port.",
            "The union FNV said the operators had broken a promise to retrain staff before introducing driverless cranes, and that the strike would last 48 hours.",
            "Shipping lines said vessels were being diverted to Antwerp and Hamburg, and freight forwarders warned of delays for retailers.",
        ),
        (
            "Container ships queued off the Dutch coast as a strike by port workers brought Rotterdam's largest terminals to a standstill.",
            "Workers fear that remote-controlled cranes will cost hundreds of jobs, union negotiator Maartje Bos told reporters outside the Maasvlakte gates.",
            "Terminal operators called the action irresponsible and said they would seek a court order to end it.",
        ),
        "A fourth terminal joined the stoppage on Wednesday, and the operators asked a court in The Hague to order staff back to work.",
    ),
    Event(
        "canada-rates",
        "OTTAWA",
        (
            "The Bank of Canada held its benchmark interest rate at 3.25% on Wednesday, saying it needed more evidence that inflation was cooling before it would consider lowering borrowing costs.",
            "Governor Marc Tremblay told reporters that core inflation measures had eased for three straight months but remained above the bank's 2% target.",
            "The decision was expected by all 24 economists polled last week, and the Canadian dollar was little changed after the announcement.",
        ),
        (
            "Canada's central bank kept rates on hold, disappointing homeowners hoping for relief on mortgage payments as the housing market slowed.",
            "Bank officials said price growth was moving in the right direction but the job was not done, pointing to stubborn costs for rent and food.",
            "Several analysts now expect a first cut in the summer, although some warned that a weaker currency could delay it.",
        ),
        "Bond yields fell slightly after the governor said a cut at the next meeting could not be ruled out if wage growth slowed.",
    ),
    Event(
        "syria-quake",
        "BEIRUT",
        (
            "An earthquake of magnitude 5.8 struck northern Syria early on Monday, damaging buildings in Aleppo and Idlib province and killing at least 11 people, state media and rescue workers said.",
            "The quake's epicentre was about 30 km west of Aleppo at a depth of 10 km, according to the European seismological centre.",
            "Rescue teams were searching for survivors under the rubble of two apartment blocks in the town of Atarib.",
        ),
        (
            "A strong tremor shook northwest Syria before dawn, bringing down homes in villages still scarred by the 2023 disaster and sending panicked families into the streets.",
            "Civil defence volunteers said they had pulled several people alive from collapsed houses and that the death toll was likely to rise.",
            "The shaking was felt as far away as southern Turkey and Lebanon, residents said.",
        ),
        "The death toll rose to 19 by Monday evening, and the United Nations said it was sending emergency shelter kits across the border.",
    ),
    Event(
        "ghana-vote",
        "ACCRA",
        (
            "Ghana's electoral commission declared opposition candidate Kwame Asante the winner of Saturday's presidential election with 54% of the vote, ending eight years of rule by the governing party.",
            "Turnout was 71%, the commission said, and observers from the African Union described the vote as peaceful and well organised.",
            "The governing party's candidate conceded in a televised address and called on supporters to accept the result.",
        ),
        (
            "Crowds danced in the streets of Accra after former finance minister Kwame Asante was named president-elect, a rare defeat for a sitting party in the West African nation.",
            "In a short speech at his campaign headquarters, Asante promised to tackle youth unemployment and to renegotiate the country's debt with creditors.",
            "His rival phoned to congratulate him, according to a spokesman, easing fears of a disputed count.",
        ),
        "Asante will be sworn in on January 7, and his team said it would name a finance minister within two weeks.",
    ),
    Event(
        "paris-strike",
        "PARIS",
        (
            "Public transport in Paris was severely disrupted on Tuesday as unions staged a nationwide strike against plans to raise the retirement age for rail and metro workers.",
            "The metro operator RATP said only two of the city's 16 lines were running normally, while the national railway SNCF cancelled half of its high-speed trains.",
            "Unions said more than a million people joined marches across France, a figure the interior ministry put at 600,000.",
        ),
        (
            "Commuters crammed onto the few trains still running in the French capital as rail and metro staff walked out over the government's pension reform.",
            "Marchers filled the Place de la République, chanting against the prime minister, while police fired tear gas at a small group who smashed bank windows.",
            "The transport minister said the reform was essential to keep the pension system solvent and that the government would not back down.",
        ),
        "Unions announced a second day of strikes for next Thursday and called on workers at ports and refineries to join.",
    ),
    Event(
        "rhine-low",
        "DUESSELDORF",
        (
            "Water levels on the Rhine fell to a record low at the Kaub gauge on Friday, forcing barges to sail with a third of their usual cargo and pushing up freight costs for German industry.",
            "The federal waterways agency said the level was 31 centimetres, below the previous low set in 2022, and that little rain was forecast for the next ten days.",
            "Chemical makers and steel plants along the river said they were running down stocks and switching some deliveries to rail.",
        ),
        (
            "Europe's busiest inland waterway is drying out, with sandbanks visible in the middle of the Rhine and shipping companies adding hefty low-water surcharges.",
            "Skipper Hans Vogel said his barge could carry only 900 tonnes of coal instead of the usual 2,800, and that some captains had stopped sailing altogether.",
            "Economists warn that a prolonged drought could shave a tenth of a point off German growth this quarter.",
        ),
        "The environment ministry said it would release water from reservoirs in the Black Forest to keep the river navigable.",
    ),
    Event(
        "wildfire-evac",
        "SANTA ROSA",
        (
            "A fast-moving wildfire forced about 12,000 people to flee their homes in Sonoma County on Saturday as strong winds drove the flames towards the outskirts of Santa Rosa, fire officials said.",
            "The blaze had burned 8,500 acres by the evening and was 5% contained, according to the state fire agency, and at least 40 structures had been destroyed.",
            "Power company PG&E said it had cut electricity to 30,000 customers to reduce the risk of new fires.",
        ),
        (
            "Residents grabbed pets and photographs and drove through walls of smoke as a wind-whipped fire roared out of the hills north of San Francisco.",
            "Evacuee Maria Delgado said she had ten minutes to leave and watched the glow from a parking lot at the county fairgrounds.",
            "Firefighters from across California were sent to help, and officials warned that gusts could reach 60 mph overnight.",
        ),
        "By Sunday morning the fire had grown to 14,000 acres, and officials confirmed two deaths in a rural area east of the city.",
    ),
    Event(
        "tokyo-heat",
        "TOKYO",
        (
            "Tokyo recorded a temperature of 40.1 degrees Celsius on Thursday, the highest since records began in 1875, and hospitals treated hundreds of people for heatstroke, the weather agency said.",
            "The government urged residents to use air conditioning and asked companies to let staff work from home in the afternoon.",
            "Electricity demand in the capital came close to the grid's limit, and the utility asked large users to cut consumption.",
        ),
        (
            "Japan's capital sweltered through its hottest day ever, with elderly residents most at risk as ambulances raced between calls.",
            "City officials opened cooling centres in libraries and community halls, and schools cancelled outdoor sports.",
            "Forecasters said the heat would ease slightly at the weekend but remain well above normal into next week.",
        ),
        "The fire department said at least 14 people had died of suspected heatstroke across the Tokyo region since Monday.",
    ),
    Event(
        "nairobi-fuel",
        "NAIROBI",
        (
            "Kenya raised fuel prices by 9% on Monday after the government cut a subsidy, prompting protests in Nairobi and other cities, where police fired tear gas at demonstrators.",
            "The energy regulator said petrol would now cost 210 shillings a litre, a record, and blamed higher import costs and a weaker currency.",
            "Matatu minibus operators said they would raise fares and threatened a strike if the subsidy was not restored.",
        ),
        (
            "Angry motorists queued at petrol stations across the Kenyan capital as a steep price rise took effect, hitting commuters who rely on shared minibuses.",
            "Opposition lawmakers called the decision cruel and said the government had broken its promise to lower the cost of living.",
            "The finance ministry argued that the subsidy had become unaffordable and was draining money from schools and hospitals.",
        ),
        "Transport operators called off their planned strike after the government agreed to review the price in one month.",
    ),
    Event(
        "oslo-ev",
        "OSLO",
        (
            "Electric cars made up 94% of new car sales in Norway last month, a record share, the road traffic information council said on Monday.",
            "Tesla remained the best-selling brand, followed by Volkswagen and Toyota, while sales of diesel cars fell to fewer than 100.",
            "The government aims for all new cars sold from next year to be zero-emission, and has kept tax breaks for electric vehicles despite pressure on the budget.",
        ),
        (
            "Norway is within touching distance of ending sales of petrol and diesel cars, new figures show, as drivers flock to electric models.",
            "Charging companies said demand at fast chargers along the main highways had doubled in a year, and some rural stations had long queues at weekends.",
            "Critics say the incentives mostly benefit wealthier households who can afford a second car.",
        ),
        "Analysts said the share could fall slightly in the autumn after a rise in value-added tax on expensive electric cars.",
    ),
    Event(
        "manila-typhoon",
        "MANILA",
        (
            "Typhoon Kalmaegi made landfall in the central Philippines on Wednesday with winds of 175 km per hour, forcing more than 200,000 people into evacuation centres, the disaster agency said.",
            "Flights were cancelled at airports in Cebu and Tacloban, and the coast guard barred ferries from sailing in the Visayas region.",
            "Officials warned of storm surges of up to three metres along the coasts of Samar and Leyte.",
        ),
        (
            "Roofs were torn off and trees uprooted as a powerful typhoon swept across the Visayas, cutting power to several provinces.",
            "Villagers in Samar said the sea came up into their homes within minutes, and soldiers used trucks to move families to higher ground.",
            "The storm is expected to cross into the South China Sea on Thursday.",
        ),
        "The disaster agency said on Thursday that at least 23 people had been killed, most of them in landslides on Cebu island.",
    ),
    Event(
        "madrid-housing",
        "MADRID",
        (
            "Spain's government approved a law on Tuesday capping rent increases at 3% a year in high-demand areas, a measure it said would protect tenants from soaring housing costs.",
            "Housing minister Carmen Ortega said rents in Madrid and Barcelona had risen by a quarter in three years, pricing young people out of the cities.",
            "Landlord associations said the cap would reduce the supply of rental homes and push owners towards short-term tourist lets.",
        ),
        (
            "Tenants' groups welcomed a new Spanish law limiting rent rises, but said it did not go far enough to fix a shortage of affordable homes.",
            "Thousands marched in central Madrid at the weekend demanding stronger controls and a ban on holiday apartments in residential buildings.",
            "The opposition People's Party said it would challenge the law in the constitutional court.",
        ),
        "The law will take effect once it is published in the official gazette, expected next week.",
    ),
    Event(
        "sydney-shark",
        "SYDNEY",
        (
            "A surfer was seriously injured in a shark attack at a beach north of Sydney on Sunday morning, and authorities closed beaches along a 10 km stretch of coast, police said.",
            "The man, in his 30s, was bitten on the leg and was pulled from the water by other surfers who used a board leash as a tourniquet.",
            "He was flown to hospital in a stable condition, and drones were sent to search for the shark, believed to be a bull shark.",
        ),
        (
            "Surfers raced to help a man after a shark bit him at Dee Why, in the first serious attack on Sydney's northern beaches in years.",
            "Witness Tom Reilly said he saw a large grey shape and heard shouting before the group dragged the injured man onto the sand.",
            "Lifeguards cleared the water and said beaches would stay shut until at least Tuesday.",
        ),
        "The state government said it would add two more smart drumlines off the northern beaches after the attack.",
    ),
    Event(
        "cairo-wheat",
        "CAIRO",
        (
            "Egypt bought 420,000 tonnes of wheat from Russia and Romania in a tender on Thursday, traders said, as the world's largest importer sought to rebuild reserves.",
            "The state buyer paid an average of $238 a tonne including freight, slightly below the last tender, according to traders in Europe.",
            "The supply ministry said strategic reserves were sufficient for about five months of consumption.",
        ),
        (
            "Egypt's state grain agency stepped up purchases to secure bread supplies, with Black Sea wheat dominating its latest deal.",
            "Subsidised bread remains a sensitive issue in a country of more than 100 million people, and the government has raised its price only once in decades.",
            "Economists said a weaker pound was making imports more costly, putting pressure on the budget.",
        ),
        "The agency said it would hold another tender next month for shipment in the second half of the year.",
    ),
    Event(
        "warsaw-court",
        "WARSAW",
        (
            "Poland's constitutional tribunal ruled on Wednesday that a law reorganising the public media was partly unconstitutional, dealing a blow to the government's plans.",
            "The court said provisions allowing the culture minister to dismiss broadcast executives without cause violated media freedom.",
            "The government said it did not recognise the tribunal's authority, arguing that some of its judges had been appointed illegally.",
        ),
        (
            "A long-running fight over Polish state television moved to the courts, with the top tribunal siding with the opposition on key parts of the media law.",
            "Demonstrators gathered outside the court building holding signs that read free media, while government supporters held a smaller counter-protest.",
            "Legal experts said the ruling deepened a constitutional standoff that has lasted for years.",
        ),
        "The president said he would not sign any further media legislation until the dispute was resolved.",
    ),
    Event(
        "santiago-copper",
        "SANTIAGO",
        (
            "Workers at Chile's Escondida copper mine, the world's largest, voted to strike from Monday after rejecting the company's final wage offer, their union said.",
            "The union said the offer of a 3% raise and a one-off bonus of $20,000 per worker fell far short of the mine's record profits.",
            "Copper prices rose 1.5% in London on the news, reaching their highest level in two months.",
        ),
        (
            "Miners in northern Chile prepared to lay down tools at the giant Escondida pit, raising fears of tighter supplies of the metal used in wiring and electric cars.",
            "Union leader Patricio Soto said members wanted a fair share of the profits and better conditions at the remote desert site.",
            "The mine's owner said it would keep operating with contract workers and called for government mediation.",
        ),
        "Government mediators invited both sides to five days of talks, delaying the start of the strike.",
    ),
    Event(
        "hanoi-exports",
        "HANOI",
        (
            "Vietnam's exports rose 9% in October from a year earlier to $34 billion, led by electronics and textiles, the statistics office said on Friday.",
            "Shipments to the United States, the country's largest market, grew 14%, while exports to China were flat.",
            "The trade surplus for the first ten months of the year reached a record $24 billion.",
        ),
        (
            "Vietnamese factories stepped up production of phones and clothing as orders from American buyers recovered, new data show.",
            "Economists said the strong figures could prompt the central bank to hold off on further rate cuts, although the dong remained weak.",
            "Manufacturers warned that rising wages and power shortages in the north could slow growth next year.",
        ),
        "Industrial output grew 8.1% in the same month, the fastest pace this year, the statistics office added.",
    ),
)
