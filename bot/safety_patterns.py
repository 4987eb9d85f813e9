"""The safety net's phrasings, English and Spanish: what `bot.safety` matches, as data.

Patterns run on folded text (lowercase, no accents) and spaCy token norms ("gonna" → "going to",
"can't" → "can not"); see `bot.safety` for the notation. Add a phrasing here when a real message
was missed, with a test in tests/bot/test_safety.py; keep look-alikes out with `unless_general`,
`unless_negated` or an idiom below.
"""

import re
from dataclasses import dataclass
from typing import FrozenSet


@dataclass(frozen=True)
class Rule:
    pattern: str
    unless_general: bool = False  # a topic word: ignored in a general question with no "I"
    unless_negated: bool = False  # a wish: "not"/"no" just before it cancels it
    unless: FrozenSet[str] = frozenset()  # any of these words in the message cancels it


@dataclass(frozen=True)
class CoOccurrence:
    """Every word group has a word somewhere in the message, in any order."""

    groups: tuple
    unless_general: bool = False
    unless: FrozenSet[str] = frozenset()

    def matches(self, norms: FrozenSet[str]) -> bool:
        return all(norms & group for group in self.groups) and not norms & self.unless

    def __str__(self) -> str:
        return " + ".join("|".join(sorted(group)[:3]) + "…" for group in self.groups)


def words(text: str) -> frozenset:
    return frozenset(text.split())


# An emergency word in a question about one's history or about risks is not an emergency:
# "I had a seizure years ago, do I qualify?", "¿puede dar convulsiones?".
_HISTORY_OR_RISK = words(
    "history ago last year years past exclude excludes qualify candidate eligible cause"
    " causes causing give trigger triggers risk risks chance possible could"
    " antecedentes historial hace anos pasado tuve califico calificar candidato excluye puede"
    " pueden causar causa provoca provocar dar riesgo riesgos posible"
)
# Questions about treating addiction mention alcohol or drugs without asking to mix them.
_ADDICTION = words(
    "addiction addicted alcoholism alcoholic dependence disorder abuse recovery sober"
    " adiccion adicto adicta alcoholismo alcoholico dependencia trastorno abuso"
)
# "Ya no quiero seguir con el registro" gives up the form, not life.
_FORM_WORDS = words(
    "registro formulario cita citas tramite proceso solicitud preguntas agendar reserva form booking"
)
# "Depression that does not respond to medicines" is about treatment, not an unconscious person.
_NOT_A_PERSON = words(
    "depresion tratamiento tratamientos medicamento medicamentos antidepresivos terapia"
)


# --- English ---------------------------------------------------------------------------------

_MYSELF = "myself|myslef|mysef|meself|mself|my_self"
_SELF_HARM_VERBS = (
    "kill|killing|kil|end|ending|hurt|hurting|harm|harming|cut|cutting|burn|burning|hang|hanging"
    "|shoot|shooting|off|offing|unalive|unaliving|drown|drowning|poison|poisoning|stab|stabbing"
    "|starve|starving|overdose"
)
_WANT_EN = "want|wanna|wish|wishing|ready|deserve|plan|planning|going|trying|wanted|wanting|need|tryna"
_EN_SUBSTANCES = words(
    "alcohol drink drinks drinking beer beers wine booze liquor shots drunk weed marijuana cannabis"
    " thc edibles edible joint xanax benzo benzos valium klonopin ativan adderall cocaine coke mdma"
    " molly shrooms psilocybin lsd acid opioids oxy percocet vicodin fentanyl kratom"
)
_EN_MEDICINES = words(
    "antidepressant antidepressants meds medication medications medicine medicines pills lexapro"
    " zoloft prozac paxil celexa wellbutrin effexor cymbalta trintellix lithium lamictal seroquel"
    " abilify xanax klonopin ativan valium benzo benzos adderall ritalin suboxone methadone gabapentin"
    " ssri ssris maoi snri trazodone"
)
_EN_CONDITIONS = (
    "ptsd|depression|bipolar|ocd|anxiety|adhd|trd|schizophrenia|fibromyalgia|crps|cancer"
    "|depressed|anxious|suicidal"
)

ENGLISH_RULES = {
    "crisis": [
        Rule(f"{_SELF_HARM_VERBS} {_MYSELF}|himself|herself|themselves"),
        Rule(f"{_SELF_HARM_VERBS} my self"),
        Rule("burned|burnt|cut|hurt|harmed|stabbed|starved|poisoned myself"),
        Rule("kms"),
        Rule("take|taking|took|end|ending|ended my own? life"),
        Rule("end|ending it all"),
        Rule("end|ending it tonight|now|soon|today"),
        Rule("to end it"),
        Rule("end|ending|ended things|everything"),
        Rule("am|m going? to? end|ending it"),
        Rule("it all|everything to end|stop"),
        Rule("~^(suicid|suicd|sucid|suisid|suicde|suiside|suecid)", unless_general=True),
        Rule("self harm|harming|injury|injure", unless_general=True),
        Rule("~^selfharm", unless_general=True),
        Rule("been|started|keep|kept|stop|start|relapsed cutting|burning"),
        Rule("cutting is|again|helps"),
        Rule(f"{_WANT_EN}|wants to? be? die|dead|disappear|vanish|dying", unless_negated=True),
        Rule("rather be? dead|die"),
        Rule("wish i was|were|could|would|had be? never? dead|die|disappear|gone|born|died"),
        Rule("wish i was|were not|never here|alive|born|around"),
        Rule("hope|wish|pray i do? not|never wake"),
        Rule("to never wake"),
        Rule("sleep|asleep and? not|never wake"),
        Rule("sleep forever"),
        Rule("better off dead"),
        Rule("better off|better without me|us"),
        Rule("better off if i was|were|am|m|wasnt|died|disappeared"),
        Rule("no|any|nothing|nt|not reason|point|use to|in|for|of live|living|go|going|keep|exist"
             "|existing|continue|carry|stay|being|be|wake|life|trying"),
        Rule("point|sense of|in living|life|existing|going"),
        Rule("not|never want|wanna|wish to? live|exist|continue|wake|living"),
        Rule("not want|wanna to? be alive|here|around|anymore"),
        Rule("not want|wanna to? go|keep|carry on|going|living"),
        Rule("can|could not go|keep|carry on|going|living"),
        Rule("can|could not take|do|handle|stand|bear it|this|life|any anymore|more|longer"),
        Rule("stop existing|exist"),
        Rule("tired|sick of living|life|being alive"),
        Rule("done living|existing"),
        Rule("done with life|living"),
        Rule("give|giving|gave up on life|living|everything"),
        Rule("not worth living"),
        Rule("life|living is? not worth"),
        Rule("only|one way out"),
        Rule("checking|check out for good"),
        Rule("why i|am am|i still alive|here|breathing"),
        Rule("should not|nt be alive|here"),
        Rule("if i died|disappeared|vanished"),
        Rule("if i was|were|am|m gone|dead"),
        Rule("when|after|once i am|m gone|dead"),
        Rule("not going to be here|around|alive"),
        Rule("will|be not be here|around|alive tomorrow|much|long|anymore|for"),
        Rule("not think|sure i will|ll make it"),
        Rule("make it that|much long|longer"),
        Rule("not be a problem|burden for|to anyone|anybody|anymore"),
        Rule("not going to be a problem|burden"),
        Rule("for|around|here much longer"),
        Rule("not trust myself"),
        Rule("do to myself"),
        Rule("might|could|would|will do something to? stupid|myself"),
        Rule("planning|planned|plan|planing my death|suicide|funeral"),
        Rule("think|thinking|thought about|of dying|death|overdosing|killing|ending"),
        Rule("dying|death|suicide is the only"),
        Rule("slit|slitting|slice|slicing|cut|cutting my wrists|wrist|throat"),
        Rule("hitting|scratching|punching|biting|hit|scratched|punched|bit myself"),
        Rule("until|till|til i bleed"),
        Rule("asleep|sleep and not|never come"),
        Rule("on|about being around|here|alive"),
        Rule("out of this life|world"),
        Rule("said|saying my goodbyes"),
        Rule("my goodbye|farewell message|letter|note|letters"),
        Rule("pills|meds|tablets saved|stashed|stored|hidden"),
        Rule("going|want|gonna|plan to hurt|kill the|those people|person"),
        Rule("it takes|take to die|kill"),
        Rule("saving|saved|stockpiling|stockpiled|hoarding|hoarded|collecting|collected|gathering"
             "|gathered|stashing|stashed|storing|stored|counting|counted up? my|the|all? pills|meds"
             "|medication|medications|tablets|sleeping|painkillers|oxy"),
        Rule("enough pills|meds|tablets|painkillers|medication"),
        Rule("how many pills|tablets would|does|will|to"),
        Rule("take|taking|swallow|swallowing|down|took all|whole my|the|her|his|their? sleeping|pain?"
             " pills|meds|bottle|medication|painkillers"),
        Rule("going|want|wanna|plan|planning|gonna to? overdose|od"),
        Rule("overdose|od on purpose"),
        Rule("ways|way|how to die|kill|overdose|commit"),
        Rule("jump|jumping|throw off|from|in the|a? bridge|building|roof|cliff|front|balcony|window"),
        Rule("on|at the bridge|roof|ledge"),
        Rule("in front of a|the train|bus|truck|car|traffic"),
        Rule("drive|crash|driving|crashing my|the? car into|off"),
        Rule("car running"),
        Rule("noose"),
        Rule("bought|got|have|buy|buying a|the? rope"),
        Rule("gun to my head"),
        Rule("use|using|used|turn|turning it|gun|knife|them on myself"),
        Rule("staring|looking|stare|look at the|my? knives|knife|rope|gun"),
        Rule("giving|gave|give|given away my|all? stuff|things|belongings|possessions|cat|dog"),
        Rule("goodbye|bye forever|world|everyone|cruel"),
        Rule("this is goodbye"),
        Rule("how i am|m going to do it"),
        Rule("goodbye|suicide|farewell letter|letters|note|notes"),
        Rule("sorry for everything"),
        Rule("last message|goodbye"),
        Rule("am|m|being just|such|only|nothing|a? but? a burden"),
        Rule("everyone|everybody|family|they|kids would|'d be better off"),
        Rule("want|wanna|going|gonna|will|plan|planning|about|thinking|urge|urges|feel|like|planned|how"
             " to? about? kill|hurt|harm|shoot|stab|murder|strangle him|her|them|someone|somebody"
             "|everyone|everybody|people|my"),
        Rule("killing|hurting|stabbing|shooting|murdering people|everyone|someone|him|her|them"),
        Rule("kill|murder|shoot|stab|killing|hurting|stabbing|shooting my husband|wife|boss|ex|mom"
             "|dad|mother|father|kids|son|daughter|neighbor|partner|boyfriend|girlfriend|family"),
    ],
    "medical_emergency": [
        Rule("chest pain|pains|hurts|hurting|tight|tightness|pressure", unless_general=True),
        Rule("pain|pressure|tightness in my chest"),
        Rule("can|could not breathe|breath|breathing"),
        Rule("trouble|difficulty|hard|struggling|problems|short|shortness|cant breathing|breathe|of"
             " breath", unless_general=True),
        Rule("hard to breathe"),
        Rule("catch my breath"),
        Rule("not breathing|responding|waking|responsive"),
        Rule("passed|passing|pass|blacked|blacking out"),
        Rule("fainted|fainting|collapsed|unconscious|unresponsive", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("~^(seiz|convuls)", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("throat|tongue|lips|face is? closing|swelling|swollen"),
        Rule("anaphyla|anaphylaxis|anaphylactic", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("allergic reaction", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("having|had a stroke|seizure|fit", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("having|had a heart attack", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("overdosed|overdosing|oded"),
        Rule("took|taken|swallowed too many|much"),
        Rule("call|calling|need|get|send an? ambulance|911|paramedics"),
        Rule("heart is? racing|pounding and|can"),
        Rule("numb on one side"),
        Rule("drooping|slurred|slurring", unless=_HISTORY_OR_RISK),
        Rule("not wake him|her|them|up"),
        Rule("vomiting|throwing up? blood|nonstop"),
        CoOccurrence((words("throat tongue lips face"),
                      words("swelling swollen closing closed tight")), unless_general=True,
                     unless=_HISTORY_OR_RISK),
    ],
    "medical_advice": [
        Rule("how much|many ketamine|k|mg|milligrams|ml|of _? should|can|could|do i|me"),
        Rule("how much|many should|can|could|do i take|use|inject|snort"),
        Rule("what|which dose|dosage|amount should|do|would|can|could i"),
        Rule("dose|dosage for me"),
        Rule("~^(mg|milligrams?)$ should|can|could i"),
        Rule("take|use|do|inject|snort|administer|give|try|buy|get|order ketamine|k|it|some|this"
             "|spravato|myself at|from home"),
        Rule("ketamine|k at home"),
        Rule("home ketamine|infusion|infusions|treatment|kit"),
        Rule("inject|injecting|administer|administering it|ketamine? myself"),
        Rule("do|give it|infusion|infusions|ketamine to? myself"),
        Rule("buy|order|purchase|score|cop ketamine|k|some|spravato"),
        Rule("stop|stopping|quit|quitting|taper|tapering|wean|weaning|skip|skipping|pause|pausing"
             "|hold|discontinue|discontinuing|lower|reduce|cut|come|go|get taking? off? my? all? "
             "antidepressant|antidepressants|meds|medication|medications|medicine|medicines|pills"
             "|lexapro|zoloft|prozac|paxil|celexa|wellbutrin|effexor|cymbalta|lithium|lamictal"
             "|seroquel|abilify|xanax|klonopin|ativan|valium|benzo|benzos|adderall|suboxone"
             "|methadone|gabapentin|ssri|ssris|trazodone"),
        CoOccurrence((words("mix mixing mixed combine combining before after while during with same"
                            " then drink alcohol"),
                      _EN_SUBSTANCES,
                      words("ketamine k infusion infusions treatment session sessions it spravato")),
                     unless=_ADDICTION),
        CoOccurrence((words("mix mixing combine combining interact interaction interactions together"),
                      _EN_MEDICINES | _EN_SUBSTANCES)),
        Rule("recreational|recreationally"),
        Rule("k hole|khole"),
        Rule("to|for party|partying|rave|fun|festival"),
        Rule("get|getting high"),
        Rule("diagnose|diagnosing me|my"),
        Rule(f"do|could|might|would|can i have|got {_EN_CONDITIONS}"),
        Rule(f"am i {_EN_CONDITIONS}|depressed|bipolar"),
        Rule("safe|dangerous|risky for me|with my"),
        Rule("should i|we take|get|try|do it|ketamine|infusions|this"),
        Rule("what|which|anything|something should|can|could i take for|before|after"),
    ],
}


# --- Spanish ---------------------------------------------------------------------------------

_WANT_ES = (
    "quiero|quisiera|queria|deseo|desearia|prefiero|preferiria|necesito|gustaria|ganas|pienso"
    "|pensando|quiero|planeo|voy|ire|intentar|intentare"
)
_ES_SUBSTANCES = words(
    "alcohol cerveza cervezas chela chelas vino trago tragos copa copas licor tequila guaro ron"
    " borracho borracha emborracharme beber marihuana mota hierba porro porros cannabis weed xanax"
    " alprazolam clonazepam rivotril diazepam valium lorazepam cocaina coca perico drogas droga"
    " mdma extasis hongos lsd opioides tramadol fentanilo"
)
_ES_MEDICINES = words(
    "antidepresivo antidepresivos medicamento medicamentos medicina medicinas pastillas pastilla"
    " litio sertralina fluoxetina escitalopram paroxetina venlafaxina duloxetina bupropion"
    " clonazepam alprazolam rivotril diazepam lorazepam quetiapina aripiprazol lamotrigina"
    " pregabalina gabapentina tramadol benzodiacepinas ansioliticos tratamiento"
)
_ES_CONDITIONS = "depresion|tept|bipolar|toc|ansiedad|tdah|esquizofrenia|fibromialgia|trastorno"

SPANISH_RULES = {
    "crisis": [
        Rule("~^suicid.*(me|rme)$"),
        Rule("~^(suicid|suisid|suicd|sucid)", unless_general=True),
        Rule("~^autolesi", unless_general=True),
        Rule("~^matarm"),
        Rule("me|se quiero|quiere|voy|va|gustaria|dan|da|vienen|pienso ganas? de? a? en? matar"
             "|morir|suicidar|ahorcar|cortar|tirar|aventar|lanzar|envenenar|pegar|disparar"
             "|desaparecer|quitar", unless_negated=True),
        Rule("me mato", unless=words("jaja jajaja jajajaja chiste risa lol haha jeje")),
        Rule("quitarme|quitar|quite|quito|acabar|acabo|terminar|termino|ponerle|poner fin? con? a?"
             " la|mi propia? vida"),
        Rule("acabar|terminar|acabo|termino|acabaria|terminaria con todo|todito"),
        Rule("acabar|terminar|acabo|termino con esto de una"),
        Rule("todo se acabe|termine|acabara|terminara"),
        Rule("que todo acabe|termine"),
        Rule(f"me? {_WANT_ES} de? a? ya? estar? morir|morirme|muerto|muerta|desaparecer"
             "|desaparecerme|desvanecerme|esfumarme|morime|mori", unless_negated=True),
        Rule("quiero|quisiera|deseo|prefiero me? morir|muerto|muerta", unless_negated=True),
        Rule("mejor muerto|muerta|morirme|morir"),
        Rule("no|ya|nunca quiero|quisiera|deseo|puedo seguir? vivir|viviendo|existir|despertar"
             "|despertarme|amanecer"),
        Rule("no quiero|quisiera|deseo estar aqui|vivo|viva"),
        Rule("ya no quiero|puedo seguir", unless=_FORM_WORDS),
        Rule("no quiero|puedo|deseo seguir viviendo|asi|aqui"),
        Rule("no aguanto|soporto|puedo mas|esto|vivir|seguir"),
        Rule("ya no aguanto|soporto|puedo"),
        Rule("no doy|puedo mas|ma"),
        Rule("ojala|quisiera|deseo no? hubiera|haber|haberme nunca? nacido|existido|despertado"),
        Rule("ojala no|nunca despierte|amanezca|despertar|despertara|amaneciera|me"),
        Rule("y|para no|nunca despertar|despertarme|amanecer|despertarse|volver|despertara|despierte|despertaria"),
        Rule("dormir|dormirme|dormirse para siempre"),
        Rule("no despertar|despertarme|despertarse mas|nunca|jamas"),
        Rule("mejor|felices|tranquilos|bien sin mi"),
        Rule("mejor si yo? no estuviera|existiera|estuviese|existo|estoy|hubiera"),
        Rule("soy|siento|ser|sentirme una? carga"),
        Rule("no voy a ser|sere un|una problema|carga|estorbo"),
        Rule("vida ya? no vale"),
        Rule("no vale la pena vivir|seguir"),
        Rule("sentido a|de? seguir? vivir|viviendo"),
        Rule("tengo por|para que? vivir"),
        Rule("por|para que sigo vivo|viva|viviendo|aqui"),
        Rule("sigo vivo|viva"),
        Rule("cansado|cansada|canse|harto|harta|cansa de vivir|existir"),
        Rule("dios|diosito que? ya? me lleve|recoja"),
        Rule("si me muero|mato|muriera|matara|desaparezco|desapareciera"),
        Rule("nadie me extranaria|extrana|notaria|extranara"),
        Rule("no confio en mi"),
        Rule("lo que me pueda|puedo hacer"),
        Rule("pensamientos|ideas de matar|matarme|morir|suicidio|muerte|hacerme"),
        Rule("formas|maneras|como de? morir|matarme|suicidarme"),
        Rule("me quemo|corto|lastimo|pego con|a|para"),
        Rule("me lastimo|corto|quemo|pego a proposito"),
        Rule("me corte|corto|quemo|lastime otra vez"),
        Rule("me corte|corto|quemo|lastime de nuevo"),
        Rule("no pienso|planeo estar|seguir aqui|vivo|viva"),
        Rule("para morir|morirme|matarme|suicidarme"),
        Rule("pensando|pienso|quiero|voy a? en? saltar|brincar"),
        Rule("en la azotea|cornisa"),
        Rule("morir|muerte|suicidio|matarme es la unica"),
        Rule("unica salida"),
        Rule("miedo de|a hacerme dano|lastimarme|matarme|cortarme"),
        Rule("si yo? ya? no estuviera|existiera|estuviese"),
        Rule("usarla|usarlo|usar conmigo|contra"),
        Rule("la|lo quiero usar conmigo"),
        Rule("echo|pego|doy un tiro|balazo"),
        CoOccurrence((words("navaja cuchillo pistola arma soga cuerda rifle escopeta gun knife razor"
                            " blade rope"),
                      words("usarla usarlo usarlas usar use using"),
                      words("quiero voy pienso ganas want going thinking gonna"))),
        Rule("juntado|juntando|guardado|guardando|acumulado|acumulando|ahorrado|ahorrando|junte"
             "|guarde|acumule|junto|guardo|reuni|reunido|reuniendo|comprado|compre|escondido"
             "|escondiendo|contado|contando mis|las|unas|varias|muchas|todas? pastillas|pildoras"
             "|medicamentos|medicinas|pastillitas|tabletas|pastas|somniferos|calmantes"),
        Rule("tomarme|tomar|tragarme|tragar|tome|tomo|trague|tomo todas|todo|toda|todos las|el|la|los"
             "|mis|sus? pastillas|pildoras|frasco|bote|caja|medicamentos|tabletas|pastas|opioides"
             "|analgesicos|somniferos|antidepresivos|medicinas|calmantes"),
        Rule("aventarme|tirarme|lanzarme|arrojarme|aventar|tirar|lanzar|arrojar|aviento|tiro|lanzo"
             " de|del|desde|al|a|por|frente|bajo|enfrente un|una|el|la|los|las? puente|edificio"
             "|metro|tren|azotea|techo|ventana|balcon|piso|carro|carretera|camion|vias|precipicio|linea|via"
             "|barranco|rio|mar|trafico|autos|coches"),
        Rule("estrellar|estrellarme el|mi? carro|coche|auto|camioneta"),
        Rule("compre|comprado|tengo|consegui|conseguir una|la? soga|cuerda"),
        Rule("contra mi"),
        Rule("cortarme|cortandome|corto|corte|cortado|cortar las|los|mis? venas|brazos|munecas"
             "|piernas|muslos|brazo|muneca"),
        Rule("volvi|vuelto|sigo|seguir|empece|empezado a? cortarme|cortandome|lastimarme"
             "|lastimandome|hacerme|quemarme"),
        Rule("estoy|sigo|estuve|estaba cortandome|lastimandome|quemandome|cortando|lastimando"),
        Rule("me volvi|vuelvo|he a cortar|lastimar|quemar"),
        Rule("me quiero|voy|pienso a? hacer dano|algo"),
        Rule("quiero|ganas|pienso|voy|pensando|quisiera|necesito|tentacion de? a? en? hacerme"
             " dano|algo"),
        Rule("quiero|ganas|pienso|voy|pensando|quisiera|necesito|tentacion de? a? en? lastimarme"
             "|herirme|cortarme|quemarme|ahorcarme|envenenarme|colgarme|dispararme"),
        Rule("ahorcarme|ahorcandome|dispararme|envenenarme"),
        Rule("pegarme|meterme|darme|echarme|dar|pegar un tiro|balazo|plomazo"),
        Rule("volarme la cabeza|tapa|sesos"),
        Rule("adios|chao para siempre"),
        Rule("adios|chao a todos"),
        Rule("adios mundo"),
        Rule("perdon|perdonen por todo"),
        Rule("ultimo|ultima mensaje|vez|despedida"),
        Rule("mi|esta despedida"),
        Rule("cartas|carta|mensaje|mensajes de despedida"),
        Rule("despedirme|despido de todos|mi|ustedes|todo"),
        Rule("no estare|voy|estar aqui|vivo|viva manana|mucho|para"),
        Rule("ya no voy a estar|estare"),
        Rule("regale|regalando|regalar|regalado mis|todas? cosas"),
        Rule("ya se como lo voy a hacer"),
        Rule("quiero|voy|ganas|pienso|pensando|quisiera|tengo|dan|planeo a|de|en? matar|lastimar"
             "|herir|danar|golpear|apunalar|balear|matarlo|matarla|matarlos|lastimarlo|lastimarla"
             " a|al"),
        Rule("matarlo|matarla|matarlos|matarlas|lastimarlo|lastimarla|lastimarlos"),
        Rule("lo|la|los|las voy|quiero a? matar|lastimar"),
        Rule("hacer|hacerle|hacerles dano a"),
        Rule("le|les voy|quiero a? hacer dano"),
    ],
    "medical_emergency": [
        Rule("dolor|presion|opresion|punzada en|del el? pecho", unless_general=True),
        Rule("duele|aprieta|arde mucho|muchisimo|horrible? el|mi pecho"),
        Rule("pecho me? duele|aprieta|arde"),
        Rule("no puedo|puede respirar"),
        Rule("me|le falta|cuesta el? aire|respirar"),
        Rule("me|se estoy|esta? ahogo|ahogando|asfixio|asfixiando"),
        Rule("dificultad|problemas|trabajo para? respirar", unless_general=True),
        Rule("~^desmay", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("perdi|perdio|perdiendo|pierdo el conocimiento|sentido"),
        Rule("inconsciente|desvanecido|desvanecida", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("no responde|reacciona|despierta|respira", unless=_NOT_A_PERSON),
        Rule("~^convuls", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("ataque epileptico|cardiaco|al corazon", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("infarto|derrame", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("se me cierra|hincha|inflama la|el garganta|lengua|cara|labios"),
        Rule("garganta|lengua|cara|labios hinchada|hinchados|hinchado|cerrada|inflamada"),
        Rule("reaccion alergica grave|fuerte|seria", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("anafila|anafilaxia|anafilactico", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("me tome|se tomo|tomé|trague|trago demasiadas|demasiado|muchas|todas"),
        Rule("sobredosis", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("llamar|llamen|llamo|llama|necesito|necesitamos|manden|mandar una? ambulancia|911"
             "|paramedicos"),
        Rule("corazon me? late|acelerado|palpita muy? rapido|fuerte|y"),
        CoOccurrence((words("dolor presion opresion opresivo punzada duele aprieta silba silbido"),
                      words("pecho")), unless_general=True, unless=_HISTORY_OR_RISK),
        CoOccurrence((words("garganta lengua labios cara"),
                      words("hinchada hinchado hinchados hinchadas hincharon hinchando hincha cerrando"
                            " cierra cerrada inflamada inflamando")), unless_general=True,
                     unless=_HISTORY_OR_RISK),
        Rule("no paro de vomitar"),
        Rule("no puedo parar de vomitar"),
        Rule("vomitando|vomito sangre"),
        Rule("no puedo|puede mover el|la|un|los|las|mi|su"),
        Rule("no esta respirando|reaccionando|respondiendo"),
        Rule("~^sobredosific", unless_general=True, unless=_HISTORY_OR_RISK),
        Rule("un lado de la cara", unless=_HISTORY_OR_RISK),
        Rule("un lado del cuerpo", unless=_HISTORY_OR_RISK),
        Rule("no lo|la|le podemos|puedo|puede despertar"),
    ],
    "medical_advice": [
        Rule("cuanta|cuanto ketamina|k"),
        CoOccurrence((words("dosis mg miligramos cantidad"),
                      words("debo deberia puedo tomo tomar tomarme inyectarme ponerme necesito"
                            " recomienda recomiendas recomiendan"))),
        CoOccurrence((words("casa"),
                      words("inyectarme ponerme aplicarme tomarla usarla hacerlo hacermela"
                            " comprar kit"))),
        CoOccurrence((words("comprar compro comprarla conseguirla conseguir consigo"),
                      words("internet linea online calle dealer"))),
        CoOccurrence((words("comprarle venderme vendan vendes consigo conseguirme consiguen"),
                      words("ketamina keta k"))),
        CoOccurrence((words("dejar dejo suspender suspendo parar paro quitar quitarme quito bajar"
                            " reducir retirar retirarme dejarlos dejarlas suspenderlos pausar"
                            " interrumpir olvido saltarme cambiar"),
                      _ES_MEDICINES - words("tratamiento"))),
        CoOccurrence((words("mezclar mezclo mezcla mezclarla combinar combino combinarla antes"
                            " despues mientras junto juntos luego durante tomar beber fumar"),
                      _ES_SUBSTANCES,
                      words("ketamina infusion infusiones tratamiento sesion sesiones keta la")),
                     unless=_ADDICTION),
        CoOccurrence((words("mezclar mezclo mezcla combinar combino interaccion interactua"
                            " interacciones juntos junto"),
                      _ES_MEDICINES | _ES_SUBSTANCES)),
        Rule("~^recrea"),
        Rule("para|pa la|el|una|un? fiesta|fiestas|antro|rumba|rave|pachanga|parranda|reventon"),
        Rule("drogarme|colocarme|ponerme|viajar high|pedo|drogado"),
        Rule("drogarme|colocarme|divertirme"),
        Rule("diagnosticarme|diagnostiquen|diagnostique"),
        Rule("me puede|pueden|puedes|podria|podrian diagnosticar"),
        Rule(f"¿ tengo|sufro|padezco|soy de? {_ES_CONDITIONS}"),
        Rule(f"sera|saber|se|creen|cree|crees que? si? tengo|sufro|padezco de? {_ES_CONDITIONS}"),
        Rule("es|sera|seria seguro|segura|peligroso|peligrosa|riesgoso para mi"),
        Rule("que|algo|cual puedo|debo|deberia tomar|tomarme para|antes|despues"),
        Rule("debo|deberia|puedo|conviene dejar|dejo|suspender|tomar|tomarme la|mis|el|mi?"
             " medicina|medicamento|medicamentos|dosis|pastillas"),
    ],
}

RULES = {"en": ENGLISH_RULES, "es": SPANISH_RULES}

# Norms that make a message personal: a topic rule is kept whenever one of them is present.
FIRST_PERSON = {
    "en": words("i me my myself mine am m im i'm i've i'd"),
    "es": words(
        "yo me mi mis conmigo tengo estoy quiero pienso siento he ando voy puedo aguanto soy"
        " estuve tuve necesito"
    ),
}
# Words of a general question about the therapy: with no first-person word, a topic rule is
# ignored ("can ketamine help people with suicidal thoughts?").
GENERAL_QUESTION = {
    "en": words(
        "ketamine help helps treat treats treating treatment used use work works patients people"
        " screen screening study studies research risk risks cause causes causing"
        " side effect effects common normal possible happen happens fda approved approval patient"
        " clinic hotline infusion infusions monitor monitoring during case"
    ),
    "es": words(
        "ketamina ayuda ayudar sirve tratar trata tratamiento usa usan pacientes paciente personas"
        " gente clinica infusion infusiones vigilan monitorean durante caso riesgo riesgos estudios evaluan causa causar causan provoca provocar efecto"
        " efectos normal posible pasa comun fda aprobada aprobado aprobacion"
    ),
}
NEGATIONS = {
    "en": words("not never no nt"),
    "es": words("no nunca jamas tampoco"),
}
# Figures of speech that start right where a crisis phrase ends: "dying to know", "me muero de
# risa". They cancel that match only.
IDIOMS_AFTER = {
    "en": [
        "of|from embarrassment|laughter|laughing|boredom|curiosity|shame|hunger|excitement|cringe",
        "is|are|s|re killing|murdering me",
        "to die for",
        "drop dead",
        "tired|sick of waiting|hold",
        "cut|cuts my|their hours|pay|price|prices",
        "died|passed last|years|months|ago",
        "saved|save|saving my life",
        "cut|cutting my hair|bangs|nails",
        "dead tired",
        "killed|killing it",
        "laughing",
        "to know|try|start|get|book|hear|see|find|ask",
        "for a|some|the",
    ],
    "es": [
        "de|del verguenza|risa|ganas|hambre|sueno|calor|frio|amor|envidia|curiosidad"
        "|aburrimiento|pena|nervios|miedo|emocion|cansancio|la|lo|tanto|gusto|susto",
        "trabajando|estudiando|riendo|esperando",
        "por saber|conocer|empezar|probar",
        "me esta|estan matando",
        "cortaron|corto la|el luz|agua|internet|servicio|horas|cable",
        "murio|fallecio|murieron hace|el",
        "cansado|cansada|harto|harta de esperar",
        "corte|corto|cortaron|cortar el|mi|las|los pelo|cabello|fleco|unas|puntas",
        "me salvo|salvaron la vida",
        "me mata|matan la|el|los|las",
        "me muero|moria|muero de",
        "muerto|muerta de",
    ],
}
# SMS shorthand patients use, spelled out before the patterns run.
SHORTHAND = {
    "en": {
        "u": "you", "ur": "your", "r": "are", "im": "i am", "ima": "i am going to",
        "imma": "i am going to", "wanna": "want to", "gonna": "going to", "tryna": "trying to",
        "dont": "do not", "cant": "can not", "wont": "will not", "kms": "kill myself",
        "myslef": "myself", "mysef": "myself", "bc": "because", "cuz": "because", "pls": "please",
        "w/o": "without", "wo": "without", "b4": "before", "2": "to", "idk": "i do not know",
        "od": "overdose", "kil": "kill", "abt": "about", "dei": "die", "wnat": "want", "suicde": "suicide",
    },
    "es": {
        "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "xk": "porque",
        "x": "por", "tb": "tambien", "tmb": "tambien", "toy": "estoy", "stoy": "estoy",
        "estoi": "estoy", "voi": "voy", "kiero": "quiero", "qiero": "quiero", "kero": "quiero",
        "ago": "hago", "d": "de", "mas": "mas", "ma": "mas", "nadien": "nadie", "aki": "aqui",
        "sta": "esta", "pa": "para", "suisidar": "suicidar", "suisidarme": "suicidarme",
        "suicidarne": "suicidarme", "matarne": "matarme", "morirne": "morirme", "bivir": "vivir",
    },
}

# An emergency is a body in trouble now: a classifier's emergency guess without one of these
# signs ("headache from my screen, when do you close?") is not acted on. Patterns need none.
EMERGENCY_SIGNS = re.compile(
    r"\b(chest|breath|breathe|breathing|faint|fainted|fainting|pass(ed|ing)? out|black(ed)? out|"
    r"unconscious|unresponsive|wake|seiz|convuls|bleed|blood|allerg|swell|swollen|throat|tongue|"
    r"lips|vomit|throwing up|heart|pulse|pressure|stroke|droop|numb|overdos|took|pills|911|"
    r"ambulance|emergency|dizzy|confused|blue|collaps|worst|can ?not|can't|cant|move|speak|"
    r"vision|blurr|hives|racing|pecho|respir|aire|ahog|desmay|inconscien|despert|despiert|"
    r"sangr|alergi|hinch|garganta|lengua|labios|vomit|corazon|pulso|presion|derrame|cara|"
    r"entumi|sobredos|tome|tomo|pastillas|ambulancia|emergencia|urgencia|marea|confundid|azul|"
    r"desplom|peor|no puedo|mover|hablar|veo|borros|ronchas|acelerad|late|baumanometr|tension|"
    r"\d{2,3} ?/ ?\d{2,3})"
)
