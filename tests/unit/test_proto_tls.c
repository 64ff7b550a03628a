/*
 * test_proto_tls.c - unit test of the TLS handshake parser (sensor/proto_tls.c).
 *
 * Feeds real handshakes, whole and cut at awkward places (1 byte at a time,
 * odd sizes, a random pattern), and checks SNI, versions, JA3/JA3S/JA4,
 * certificate fields and the EVE object; then feeds hostile input built
 * here (lying lengths, truncation, zero-length and very many extensions,
 * oversized messages, SSLv2 hellos, garbage DER) and mutated copies of the
 * real handshakes, which must be counted and survived, never crash. The
 * certificate cache must give what a fresh decode gives. Meant to
 * run under -fsanitize=address,undefined. Standalone: exit 0 on success,
 * 1 with a message per failed check otherwise.
 *
 * Provenance of the vectors (TCP payloads per direction, in order, up to
 * the segment after which the parser reports the handshake done):
 *  - s_tls12_mutual, s_tls12_resumed, s_tls13: captured with tcpdump on
 *    loopback between OpenSSL 3.0 s_server/s_client and curl 7.88, with
 *    certificates made for this test (server serial 0x8a0102030405, SANs of
 *    every common type, a UTF-8 ST value; client certificate "client-7").
 *    Expected JA3/JA3S are tshark 4.0's tls.handshake.ja3/ja3s; certificate
 *    values are `openssl x509 -serial -dates -fingerprint`; JA4 comes from a
 *    separate script over tshark's decoded fields (Suricata's JA4 variant).
 *  - s_curl443: first flow of nDPI's tests/pcap/443-curl.pcap; expected JA3,
 *    JA3S, JA4, issuer, subject, SHA-1 and validity are those of nDPI's
 *    reference output for that pcap, the serial is tshark's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "jsonw.h"
#include "proto_tls.h"
#include "util.h"

#include "banned.h"

struct seg {
	int dir;
	const char *hex;
};

static const struct seg s_tls12_mutual[] = {
	{ 0,
	  "16030100e6010000e20303b35fcc97519e471601e51a1a6fb7017c9c342241f6"
	  "97b393e6046870bfd599a9000038c02cc030009fcca9cca8ccaac02bc02f009e"
	  "c024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c"
	  "0035002f00ff01000081000000190017000014746573742e68616964616e672e"
	  "6578616d706c65000b000403000102000a000c000a001d0017001e0019001800"
	  "2300000010000e000c02683208687474702f312e310016000000170000000d00"
	  "2a0028040305030603080708080809080a080b08040805080604010501060103"
	  "0303010302040205020602" },
	{ 1,
	  "160303004a0200004603036580d35d1afa71a2a9ecd17c5b0ebe54afda99544b"
	  "823a3b444f574e4752440100c03000001eff01000100000b0004030001020023"
	  "000000100005000302683200170000160303074f0b00074b0007480003f43082"
	  "03f0308202d8a0030201020207008a0102030405300d06092a864886f70d0101"
	  "0b0500303e310b300906035504061302564e31183016060355040a0c0f486169"
	  "64616e6720546573742043413115301306035504030c0c48616964616e672052"
	  "6f6f74301e170d3236313132373034343734315a170d32393033303130343437"
	  "34315a30818b310b300906035504061302564e3112301006035504080c0948c3"
	  "a0204ee1bb996931143012060355040a0c0b48616964616e67204c6162310f30"
	  "0d060355040b0c0653656e736f72311d301b06035504030c14746573742e6861"
	  "6964616e672e6578616d706c653122302006092a864886f70d01090116136f70"
	  "734068616964616e672e6578616d706c6530820122300d06092a864886f70d01"
	  "010105000382010f003082010a02820101008f08551ed7afde0cc4aca655da78"
	  "20e3fb2fb358963dbafe90f312c3c1b6ea79820359368aab431f72876f49bf9d"
	  "22fc03da05c9b2d016d04672292096acc40ba5c2578910b0fbf8802ca34e8733"
	  "eb4e6e7076fc0672e8e82d6da44646d990ff832554786634142847e87a542c88"
	  "259b136399caad8d404a12ed9ec425b9f8400e5518f300871acf168a5da9db25"
	  "842d735cf57c4b90216f642071a2b9aa25a0fdf8e27a558639db0feb9d497653"
	  "21f16569a7c6677a1cbbac290d6cb55020c500fedd18f403c20a29fb88019a3c"
	  "cda3c233aa58a19e588f6e13b802883893b35c6d0bb071f3f4d8ac8470bdb626"
	  "a72d27eba6537602c4ac1aaf6dcc933216cf0203010001a381a43081a1305f06"
	  "03551d11045830568214746573742e68616964616e672e6578616d706c658211"
	  "2a2e68616964616e672e6578616d706c6587047f000001871000000000000000"
	  "00000000000000000181136f70734068616964616e672e6578616d706c65301d"
	  "0603551d0e0416041418a4963cd4aef19b99f15e493173373e368595b9301f06"
	  "03551d23041830168014a7e6e38bd43831e366a3379951122fd83b48e723300d"
	  "06092a864886f70d01010b050003820101002329c85e971622a10c93c9acb676"
	  "a8d4618c6654f9779bd4cb45290ad27aa3e99dcba7dda1f18cebba9a19a6ec9f"
	  "497d584c8e8bd160f16ebf2fb51a224a53d1b21a64ce8b4090fca80589dee5e3"
	  "a5eb6eef1c7ce0006def2cdc356603625294ebc140312a92c5c267a69ead8387"
	  "bc8e8a252e2f2f427507c7d4e462f2e9fac3e74190994dbe194972426d4ebefb"
	  "054c77a308364d18b0375e711737673a2592f1b846f35fb45b45e647db69d99e"
	  "6113e28ed4ba7ba37c98ab6753dd13cb207a70b79a851b7c42c6078a3b59a416"
	  "8c16c4344014e1f2f7b3f06ab725725d41fea23997e00339b37e3328c8361f34"
	  "983f86cda4cf9ba35fe6599ab5e78d55e7c900034e3082034a30820232a00302"
	  "0102020101300d06092a864886f70d01010b0500303e310b3009060355040613"
	  "02564e31183016060355040a0c0f48616964616e672054657374204341311530"
	  "1306035504030c0c48616964616e6720526f6f74301e170d3236313132373034"
	  "343734315a170d3336313132343034343734315a303e310b3009060355040613"
	  "02564e31183016060355040a0c0f48616964616e672054657374204341311530"
	  "1306035504030c0c48616964616e6720526f6f7430820122300d06092a864886"
	  "f70d01010105000382010f003082010a0282010100d960b40593fc80d56b9fa2"
	  "62e0e24fe01b94b9236121b3af1087fd9b7b56a394b1e3699fc8f6e0524e31a3"
	  "8acd2daab6744eafafde2d3f84f288ef09d846615cf6e3b9934e8d1f1b09dd7a"
	  "68cd55590ba205395d9405fe1521a78f6cdb9603c5d20544ad90cca2bd0cfb50"
	  "0cbc675e40a3a979e67dac75fdd28c8313490abf791392e0665e7e45da669465"
	  "6e2db06a90aaaf374d3c835bb56c952d3f3ff31ee80368cac6d670356356d11d"
	  "93a22d950fa7db14639b9e5a5235c218a8aaac02193957ade7222e1e2dfad3fd"
	  "a812dec88684c7f1feefc056ed8e6a0279193ebc182626feaeb3c0ab4c0ffdee"
	  "26f0f7e862c413684b904de6928ad781a6552d05ff0203010001a3533051301d"
	  "0603551d0e04160414a7e6e38bd43831e366a3379951122fd83b48e723301f06"
	  "03551d23041830168014a7e6e38bd43831e366a3379951122fd83b48e723300f"
	  "0603551d130101ff040530030101ff300d06092a864886f70d01010b05000382"
	  "0101001bed661446afe7948e23bc4abaae0a7dd37d58a6d63dfc2c3f77403187"
	  "771fd7ae74c7375874df7448a9b2a2376f7fc0a4f9d4034d2ede584543c4369a"
	  "fa2d81044bbdc0ffffb3a8a1b78607655c2ab4faef75d0e9968f48aaf2dcac20"
	  "d91186d98ef2e57a80170a86b59032d25a862ab70f50c925bef85f794fdac7bf"
	  "ba583be18b61ff5b84322969a4d4cd2f3ff93a3445a24155e3d7340fefbbfcf7"
	  "650208e624f143879cff33e09dbdab8ba2763f3d954e071dc344f549fd6f2da5"
	  "9bc1eedf583e21fcdda43835df47e1f60dc5d32b079ceca008827bf977e6ec5f"
	  "0d2a55318799f1b004cf14ffacb5c92bba224d7052593c76588c19eea5bbd8fb"
	  "a4a4ca160303012c0c00012803001d202c1316cb698dc34fd920a13f3d4b56a5"
	  "b15b94268c541f16b8048267c948a42e080401001b88a6a9d3bc2bfd4c35c187"
	  "fb53a4315412ae027c76e9af3ff09def42233289c54a2625bbde0be541cc59e4"
	  "8272853563f12bf75327204e1a5913cb19c9f13663b9d519edd107f83f25a503"
	  "0a664e2103d44bc76236ef5430c126e2539bec265e2c73425b20312c6209129c"
	  "27fdec7b7053ea75ccb352e8bc7af75447f538e4cd54cdbf25e80d0b510d6167"
	  "2cc8e83c08d8fe33ea982bf5c28109115b07f5c8e265891b80df0dbf05fa4c71"
	  "91bccc3fba51a8d95e7a7ff922af10bfec678a9367e07eae2c96a019e98cedb4"
	  "20c2c53a7a65fba998813298669809e37c73c32bce55d484074e3247615dd37f"
	  "cd8ea80f624be0823504cc530621a12452ab11b116030300760d000072030102"
	  "400028040305030603080708080809080a080b08040805080604010501060103"
	  "030301030204020502060200420040303e310b300906035504061302564e3118"
	  "3016060355040a0c0f48616964616e6720546573742043413115301306035504"
	  "030c0c48616964616e6720526f6f7416030300040e000000" },
	{ 0,
	  "16030302f60b0002f20002ef0002ec308202e8308201d002017b300d06092a86"
	  "4886f70d01010b0500303e310b300906035504061302564e3118301606035504"
	  "0a0c0f48616964616e6720546573742043413115301306035504030c0c486169"
	  "64616e6720526f6f74301e170d3236313132373034343734325a170d32363132"
	  "32373034343734325a3036310b300906035504061302564e3114301206035504"
	  "0a0c0b48616964616e67204c61623111300f06035504030c08636c69656e742d"
	  "3730820122300d06092a864886f70d01010105000382010f003082010a028201"
	  "0100aa0265647812be0991f0620eb3ea30fd15c6b68d0a7a0601cae49e903172"
	  "0f8b8aa0188675bae8b1f9655eacc426eb387b9d28a77d61e80a88325fc2bfbb"
	  "567d1760e99eb495eb1e0c366791f9ac900415a33af333fac27d5d575d610925"
	  "2a70109c001e29bc0ef874b1085c84f75c400157660bb9a4cad6787cd6253576"
	  "78adc4efe9fe73b04de7cfe348ac3aa19e0ef71141ea27b33f9bb9fa81e69ed0"
	  "b7bb00be1e1438b7bd5cba60dd013ad91a393b1c862e3e1fd10883102e053295"
	  "1672c6535c2e1cb25e3e649b4b4804dd22cb5470814b951477b6ad2867184aaa"
	  "8938e9c4bd9d125e933245a2df9e37137aeb3ff680f313a124c0635e9db3d2d1"
	  "fa0d0203010001300d06092a864886f70d01010b050003820101003e6f57c079"
	  "7d6d85c8a5efa7a5b4425433ab91fb2e847d7c7bb8b68d9b0e70ac00603beabc"
	  "067cccaa047946b900d15df4fee34aaf9c957d947a001829a2bd9074be64be09"
	  "26463fc201ff67b2f4bca4b1cdfa442585728674be5bf55a8b4d921d91f46a9f"
	  "e6ffccf9d6d943ad00b31931030298bd24ec5e5aa45ad5e12e6da760870628d1"
	  "0880cb35c3485339770d7c9f90d9a340da14cbe667fd81d90caa21341e1ecfb0"
	  "09a68c7ced627a4a86218ea906197cb8874dc7acc0f72dccda40e36e8f8f3002"
	  "811eb269ef3fe7dcae34bc8ba1422aec6c7fc687beef2e9f067bcf97fd635629"
	  "ac716b2d03424d89710f634378d29f80576de1eb2e4d12c8ac037c1603030025"
	  "100000212088fb1bbdda220ac3d84ce7252e500930170780508906baeb1a7686"
	  "2aa2edaf5716030301080f000104080401008c9739a53c060533d23fb94ee6c8"
	  "e6deaaaca468bf8a3f0fab96ca867474bf99dd612f507b1a483d373f60402a58"
	  "df9d08d47011201c952db91429c4ae15c195edc590635f393f3536c83e2821cf"
	  "73d632d4d2868c43dfa4ab307da3e2f08a56d15122764482b020b7b5a6cdc98a"
	  "51602660f9c0615d6f133a1587cb857714a0cf8734baa46df48c1f483e990ef8"
	  "3a5632a3435b50b8442bd71f83cc590d5c55f8b01738e5f4d3adc503a0051dcb"
	  "c92fc1fc9e9f845412f02bd4887b9ce3238cd51d0ae1ac61d913cd14d4109eb7"
	  "9ded277df5c9ab78142924ffe9d6ea7a5d717fef094bfb0b485de5f11fa9c723"
	  "5109b07df9cecd1b758725fa6a8ffa21d717140303000101160303002859d3d0"
	  "fa532d7e747b1b1b268c7c87c8cbb79b168716056ef728d147b18bb527e33b99"
	  "3bb8bd697f" },
};

static const struct seg s_tls12_resumed[] = {
	{ 0,
	  "16030104a6010004a203037495a571cb574560c83283231f5f1dd04eb603d0f8"
	  "6ec5e55cd19af7e9df6e2c20f817906cbcdb7257f109fc02d22d560104328e78"
	  "71c1a3a859ff87e5d2dc4ada0038c02cc030009fcca9cca8ccaac02bc02f009e"
	  "c024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c"
	  "0035002f00ff01000421000000190017000014746573742e68616964616e672e"
	  "6578616d706c65000b000403000102000a000c000a001d0017001e0019001800"
	  "2303a0310c02c05af96adfb9fc8898c0b0ee798a7b28b27cc40003071ff2b7e7"
	  "2752aaca6bceb3cc0139a9b6d4cc322c08b0ee8976d1ab74dc41d4108d000fa1"
	  "c0cc504b39eaa8c75cc30e5329616dfddc148be3d167c02db61edc33889ba2db"
	  "37e4e8567a3aa1745d8b5499d256a1b3ba7ced925453fd4f83e70c658d96dce4"
	  "9f58cf8eb408103addc30026df19e811e5163e05a9340e07d37efe8c1f78fe91"
	  "abf0e4fc2e7308df103dc2f8a397a2d49dfbecfabb7ce5573958abdc31c2e559"
	  "f8e50f8d5dcd73c2fe31e5e57fdd8bda8839a7b3b3fb96e0dfaac4674b0e4aed"
	  "7edcc8ac5047e162500a7eb65dadfc2a3363e0c23205a2b785262f0c5039217e"
	  "2efa9e7abfd6601ca3121d4a363b4cabf94bf3b20c5763ff2f2a378149549c98"
	  "d13affbae83a5ee51e1ee71d4bac1194e3f7af3a64a59673dc952c9956b178a4"
	  "a039a9fe00182a0cc6f84e069cacca4d1dafc7f70115e43431364ccc25a434ce"
	  "02ca2e9f6e5158ac6b3c0a5c0ed194c82d97ec39cffa5b469c764af12fa36885"
	  "e142f84963e15d23e38ffce200f115bddec1394a12bf353ea3b68d09090a9f5e"
	  "5537c4dce18d774c4769eea083d6906b2e0a48839792e21e4a212c7c05500a9e"
	  "3521f4014dad198f5b00df3a3d8514c89446ed9a68794640b55edee649453efb"
	  "177b281bb192d77494b306db9b69070aa46809a408e82ff5e99f1806e6b08f4c"
	  "9a9cd44b0c498e15ae87f8bf31ee7abd74d70fd7be62ba9cdaaab9b786835a2c"
	  "8c90695224c1c078bca7e8b628259d7f9766938f5e7f8e37c34c956576eeff59"
	  "46ae9a51e6c5eeec438dab45c812cfdbf146608c8e387c96938f1e53680e54ec"
	  "a3f65e2444c551a49da2a18a40a3207f46d6d92fb019916a6e6ca7b82aab43d0"
	  "e0301b7f6dcfbf9b043216686675293bd776584b7863dc8f099036040ebd55a3"
	  "c0329ad994da63d14a6b8b6557bf2124a398975355b1d3f2f8b4669227809bec"
	  "5b9bea3f18732e1c782fbc4c6def57894bedb675045b347ffbb755c16970aa6f"
	  "9987bcb3ad03c44f1a909e40479b4a3bb1286d35a4c1e91334bcd5b9e7cfaba9"
	  "52618e8a405c05c58d47c298fbc723a570665b574275188ce0214db9095424a3"
	  "f4881085fe61bc4f0ce9cced788afa17c9805e2e2ba6085c8285df1afe187eb7"
	  "4f20ebbe9779aae4e9970d88da736196bc4d58dabf9f8beb9676ba21cbfd612b"
	  "af99e0bf56f8b81c392fd4e764e5d780735ba5dd76064a5b536050e7cad950fd"
	  "1e6d5979501cbeb0d8e3053804364d02fa0596e60c5b8c194f626956d2daa490"
	  "b9fb180010000e000c02683208687474702f312e310016000000170000000d00"
	  "2a0028040305030603080708080809080a080b08040805080604010501060103"
	  "0303010302040205020602" },
	{ 1,
	  "160303005e0200005a0303ac9141bbbbc4f42577153804e3075728376533e714"
	  "f188d6444f574e4752440120f817906cbcdb7257f109fc02d22d560104328e78"
	  "71c1a3a859ff87e5d2dc4adac030000012ff0100010000100005000302683200"
	  "1700001403030001011603030028e3c01b5fc26f59ff1d25f16854c502bff39e"
	  "6603926ad82e45e198c10630f1630a153f3683030b92" },
};

static const struct seg s_tls13[] = {
	{ 0,
	  "1603010200010001fc03036393c23556a8dcb226a0e758d14d79adadb55cc774"
	  "eb77f82a1ff0b48744816b20093feb0ef3a56bb774a186cd408ca2b205a02ad0"
	  "056ee362366452b2555e624a003e130213031301c02cc030009fcca9cca8ccaa"
	  "c02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d"
	  "009c003d003c0035002f00ff01000175000000190017000014746573742e6861"
	  "6964616e672e6578616d706c65000b000403000102000a00160014001d001700"
	  "1e00190018010001010102010301040010000e000c02683208687474702f312e"
	  "31001600000017000000310000000d002a002804030503060308070808080908"
	  "0a080b080408050806040105010601030303010302040205020602002b000908"
	  "0304030303020301002d00020101003300260024001d00207e3e31368a0a969a"
	  "3e649aaf084f354d83aaaafd3e3a2a11a6eb19a979a29115001500a900000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000" },
	{ 1,
	  "160303007a0200007603030be67b5ffaa641f38f3e0bc9add02665cac2ae5db3"
	  "754764875c1eeccf2a970920093feb0ef3a56bb774a186cd408ca2b205a02ad0"
	  "056ee362366452b2555e624a130200002e002b0002030400330024001d0020fa"
	  "1e9c2872891a3be7514d71c5fa328f980906e77a9e2b46276d087b9a9e876014"
	  "03030001011703030017df600bf8f20e7c5c9e906559c56d488bfda46f869a49"
	  "581703030412c67ae61142a259" },
};

static const struct seg s_curl443[] = {
	{ 0,
	  "1603010200010001fc03033e3841edcc20f6d0e5f7167ab7ee91a800c8ef70c2"
	  "d624c7c7943a24026d9fbc000086cc14cc13cc15c030c02cc028c024c014c00a"
	  "00a3009f006b006a00390038ff8500c400c3008800870081c032c02ec02ac026"
	  "c00fc005009d003d003500c00084c02fc02bc027c023c013c00900a2009e0067"
	  "00400033003200be00bd00450044c031c02dc029c025c00ec004009c003c002f"
	  "00ba0041c012c00800160013c00dc003000a00ff0100014d00000011000f0000"
	  "0c7777772e6e746f702e6f7267000b000403000102000a003a0038000e000d00"
	  "19001c000b000c001b00180009000a001a001600170008000600070014001500"
	  "04000500120013000100020003000f00100011000d00260024060106020603ef"
	  "ef050105020503040104020403eeeeeded030103020303020102020203337400"
	  "000010000e000c02683208687474702f312e31001500ae000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "0000000000" },
	{ 1,
	  "16030300660200006203038f72dd2e35dcf5ddf38ae75db855d1610b4db32937"
	  "cb20cd3187eec12057fb2520ea8fcd1da8f8635bd5df2a45b603764dd7cfb5f8"
	  "2666ff77fd47635bf9a8f0cbc02f00001aff0100010000000000000b00040300"
	  "010200100005000302683216030309f80b0009f40009f1000555308205513082"
	  "0439a003020102021203c56f6636eda72f7f4c5665fa055d933255300d06092a"
	  "864886f70d01010b0500304a310b300906035504061302555331163014060355"
	  "040a130d4c6574277320456e6372797074312330210603550403131a4c657427"
	  "7320456e637279707420417574686f72697479205833301e170d313931323137"
	  "3031313732385a170d3230303331363031313732385a30173115301306035504"
	  "03130c7777772e6e746f702e6f726730820122300d06092a864886f70d010101"
	  "05000382010f003082010a02820101009d21c341aca0d61662ac85f82eaa3758"
	  "6e4aa4c1e78858b732bc3bd07719aa2ad95b9354b3d9aec9e47675a3b2263aec"
	  "adcc5ee577871177f9aeeebe9588d72a2254a291b02c65a2d4cba203d8315966"
	  "4b59579612db71126c134ea5a54a147c8a9df6785d4b5a9c3e174fdced0342d9"
	  "b2e599c4a42bda144bc956c598b35e1c203117836aa3d160312f85962d75f59c"
	  "7e4a520ed453a03804f36b8aac3babe10d6edfcb8126ca7f66e938dbb1bed9b3"
	  "8b374a48b0409792582a41666156a12abe80d51c3448c25cf234ac1bb7b47e19"
	  "f7e05f9b29e605246f238f73ef8647e7ce54beff32eccd5a9d94af6cd384de14"
	  "17a7a73147450ab77f68215af030c6c10203010001a38202623082025e300e06"
	  "03551d0f0101ff0404030205a0301d0603551d250416301406082b0601050507"
	  "030106082b06010505070302300c0603551d130101ff04023000301d0603551d"
	  "0e0416041466773997662725aabee187a7bb2b96b887f091d7301f0603551d23"
	  "041830168014a84a6a63047dddbae6d139b7a64565eff3a8eca1306f06082b06"
	  "01050507010104633061302e06082b060105050730018622687474703a2f2f6f"
	  "6373702e696e742d78332e6c657473656e63727970742e6f7267302f06082b06"
	  "0105050730028623687474703a2f2f636572742e696e742d78332e6c65747365"
	  "6e63727970742e6f72672f30170603551d110410300e820c7777772e6e746f70"
	  "2e6f7267304c0603551d20044530433008060667810c0102013037060b2b0601"
	  "040182df130101013028302606082b06010505070201161a687474703a2f2f63"
	  "70732e6c657473656e63727970742e6f726730820105060a2b06010401d67902"
	  "04020481f60481f300f10077005ea773f9df56c0e7b536487dd049e0327a919a"
	  "0c84a1121284187596817145580000016f11a560100000040300483046022100"
	  "845c7a86f886701b33dac96e712963e039d0f1da57ad6b98ffc53e88301c9967"
	  "02210088adece4d8beb497227f62aba33cc203e1f8679c2c18efeb3fb99697ff"
	  "2f3d3000760007b75c1be57d68fff1b0c61d2315c7bae6577c5794b76aeebc61"
	  "3a1a69d3a21c0000016f11a5602d0000040300473045022030285d401a7288a1"
	  "a112d95f8c6a6700af4e0ded3e0169097d92ed98e3155ed1022100a8937e127d"
	  "d3fbfc9dad312be5334521fb5423ee2fbd595bc198896ac4d8546e300d06092a"
	  "864886f70d01010b0500038201010017faeb420ed7e96870a1138ae3e406e76b"
	  "3361a0d82313c1ac2667c6166341fb66e72679928b8c122bd74ae173fc57cf22"
	  "8d3e5925ba3552e103736fae2ccaa4a174ef4d289613b37c1a1594cbef274bbd"
	  "6d03e1f7332373bebcf0d98706692e69fe9ea4be7963a821f38b4fbc9b42a981"
	  "9aa5e0201a320650921e195ea5c675640961643b8e6b15631ec2fb4d3549a973"
	  "d7e8cce0ecb492e04e79288cfd8dbd4504fab24926ab6fa176d14e1aa04f2f62"
	  "ef83b02d7b6561cbd92664ce6465685c150b6a6bcd05a48bc19f19bd3edf006f" },
	{ 1,
	  "d8a4558dbaba9645723939195cfaf6a707c993ecb5b13cc6c595cbef1cd87910"
	  "4fb08f8ad40045b927dde24fbc94fe000496308204923082037aa00302010202"
	  "100a0141420000015385736a0b85eca708300d06092a864886f70d01010b0500"
	  "303f31243022060355040a131b4469676974616c205369676e61747572652054"
	  "7275737420436f2e311730150603550403130e44535420526f6f742043412058"
	  "33301e170d3136303331373136343034365a170d323130333137313634303436"
	  "5a304a310b300906035504061302555331163014060355040a130d4c65742773"
	  "20456e6372797074312330210603550403131a4c6574277320456e6372797074"
	  "20417574686f7269747920583330820122300d06092a864886f70d0101010500"
	  "0382010f003082010a02820101009cd30cf05ae52e47b7725d3783b3686330ea"
	  "d735261925e1bdbe35f170922fb7b84b4105aba99e350858ecb12ac468870ba3"
	  "e375e4e6f3a76271ba7981601fd7919a9ff3d0786771c8690e9591cffee699e9"
	  "603c48cc7eca4d7712249d471b5aebb9ec1e37001c9cac7ba705eace4aebbd41"
	  "e53698b9cbfd6d3c9668df232a42900c867467c87fa59ab8526114133f65e982"
	  "87cbdbfa0e56f68689f3853f9786afb0dc1aef6b0d95167dc42ba065b2990436"
	  "75806bac4af31b9049782fa2964f2a20252904c674c0d031cd8f31389516baa8"
	  "33b843f1b11fc3307fa27931133d2d36f8e3fcf2336ab93931c5afc48d0d1d64"
	  "1633aafa8429b6d40bc0d87dc3930203010001a382017d308201793012060355"
	  "1d130101ff040830060101ff020100300e0603551d0f0101ff04040302018630"
	  "7f06082b0601050507010104733071303206082b060105050730018626687474"
	  "703a2f2f697372672e747275737469642e6f6373702e6964656e74727573742e"
	  "636f6d303b06082b06010505073002862f687474703a2f2f617070732e696465"
	  "6e74727573742e636f6d2f726f6f74732f647374726f6f74636178332e703763"
	  "301f0603551d23041830168014c4a7b1a47b2c71fadbe14b9075ffc415608589"
	  "1030540603551d20044d304b3008060667810c010201303f060b2b0601040182"
	  "df130101013030302e06082b060105050702011622687474703a2f2f6370732e"
	  "726f6f742d78312e6c657473656e63727970742e6f7267303c0603551d1f0435"
	  "30333031a02fa02d862b687474703a2f2f63726c2e6964656e74727573742e63"
	  "6f6d2f445354524f4f544341583343524c2e63726c301d0603551d0e04160414"
	  "a84a6a63047dddbae6d139b7a64565eff3a8eca1300d06092a864886f70d0101"
	  "0b05000382010100dd33d711f3635838dd1815fb0955be7656b97048a5694727"
	  "7bc2240892f15a1f4a1229372474511c6268b8cd957067e5f7a4bc4e2851cd9b"
	  "e8ae879dead8ba5aa1019adcf0dd6a1d6ad83e57239ea61e04629affd705cab7"
	  "1f3fc00a48bc94b0b66562e0c154e5a32aad20c4e9e6bbdcc8f6b5c332a398cc"
	  "77a8e67965072bcb28fe3a165281ce520c2e5f83e8d50633fb776cce40ea329e"
	  "1f925c41c1746c5b5d0a5f33cc4d9fac38f02f7b2c629dd9a3916f251b2f90b1"
	  "19463df67e1ba67a87b9a37a6d18fa25a5918715e0f2162f58b0062f2c6826c6"
	  "4b98cdda9f0cf97f90ed434a12444e6f737a28eaa4aa6e7b4c7d87dde0c90244"
	  "a787afc3345bb442160303014d0c0001490300174104c8b8b982fca840b448d7"
	  "35e3d18d1dd9f33d773d8da03ff376ae5f3b1b45d7eb0700fc5917f000e545d1"
	  "2692d9740c0b98d9f8f6e4593a523eef65c5a6f17588040101004f64ae1877ea"
	  "1e5c6b72ceaeaeae50fa3d6af9b92f8c371d36a6df5fd36b599fa0c1218b40a2"
	  "b1225e5890161f1df07236a40df56e88e0166bc5da6e011fc8432f59d944a02f"
	  "617d6667552c77979f960152ae6bfa89868e07de38543746d8a024e580b2022b"
	  "e5464c38baa101fda27ac76c53c4fbf7e7b011c44582e181ce8145fc21c2b34f" },
	{ 1,
	  "eba853cee6cc581d3cb373e486c2fd26a56eb8ab42e90d2615fe81e2805cdbf5"
	  "36fa2821403ef7b342984ac00ddaaec57ee91e48ae0c7889301a4162a7b9cbd8"
	  "09eee813f8b69339a1dbfc03fc2c7d88c951c5716e94cf4bae21f8dadb1f0261"
	  "191fd14bcae4a865b964563fd991b8c285a6fb787f14bc796d1a16030300040e"
	  "000000" },
};

#define SESSION(s) { #s, s, ARRAY_SIZE(s) }

static const struct session {
	const char *name;
	const struct seg *segs;
	size_t n;
} sessions[] = {
	SESSION(s_tls12_mutual),
	SESSION(s_tls12_resumed),
	SESSION(s_tls13),
	SESSION(s_curl443),
};

#include "check.h"

/* ---- helpers ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes hex into a new buffer; *n gets its length. */
static uint8_t *unhex(const char *h, size_t *n)
{
	size_t len = strlen(h) / 2;
	uint8_t *out = malloc(len ? len : 1);

	if (!out) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			fprintf(stderr, "bad hex vector\n");
			exit(2);
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*n = len;
	return out;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Feeds p[0..n) in pieces: split > 0 fixed size, split < 0 random 1..-split,
 * 0 whole. */
static void feed_split(struct tls_state *st, int dir, const uint8_t *p, size_t n,
		       int split)
{
	size_t off = 0;

	while (off < n) {
		size_t k = n - off;
		if (split > 0 && (size_t)split < k)
			k = (size_t)split;
		else if (split < 0) {
			size_t r = 1 + (size_t)(rng() % (uint64_t)(-split));
			if (r < k)
				k = r;
		}
		tls_feed(st, dir, p + off, k);
		off += k;
	}
}

static void feed_seg(struct tls_state *st, const struct seg *s, int split)
{
	size_t n;
	uint8_t *p = unhex(s->hex, &n);

	feed_split(st, s->dir, p, n, split);
	free(p);
}

static struct tls_state *run_session(const struct session *s, int split)
{
	struct tls_state *st = tls_state_create();

	if (!st) {
		fprintf(stderr, "tls_state_create failed\n");
		exit(2);
	}
	for (size_t i = 0; i < s->n; i++)
		feed_seg(st, &s->segs[i], split);
	return st;
}

/* The EVE object {"tls":{...}} as a string (caller frees). */
static char *eve(const struct tls_state *st)
{
	struct jw w;
	char *out;

	jw_init(&w, 1 << 20);
	jw_obj_open(&w, NULL);
	tls_write_eve(&w, st);
	jw_obj_close(&w);
	CHECK(!w.overflow);
	out = malloc(w.len + 1);
	if (!out) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(out, w.buf, w.len);
	out[w.len] = '\0';
	jw_finish(&w);
	return out;
}

static void md5_hex(const char *s, size_t n, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	out[0] = '\0';
	if (EVP_Digest(s, n, md, &mdlen, EVP_md5(), NULL) != 1 || mdlen != 16)
		return;
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- real handshakes ---- */

static void test_tls12_mutual(void)
{
	const struct session *s = &sessions[0];
	struct tls_state *st = tls_state_create();
	const char *ja3 =
		"771,49196-49200-159-52393-52392-52394-49195-49199-158-49188-"
		"49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-"
		"156-61-60-53-47-255,0-11-10-35-16-22-23-13,29-23-30-25-24,0-1-2";
	char md[33], *j;

	for (size_t i = 0; i + 1 < s->n; i++)
		feed_seg(st, &s->segs[i], 0);
	/* the server asked for a client certificate: not done before it */
	CHECK(!tls_done(st));
	CHECK(tls_seen_hello(st));
	feed_seg(st, &s->segs[s->n - 1], 0);
	CHECK(tls_done(st));
	CHECK(tls_log_ready(st));

	CHECK_STR(tls_sni(st), "test.haidang.example");
	CHECK(tls_version(st) == TLS_VER_12);
	CHECK_STR(tls_ja3_string(st), ja3);
	CHECK_STR(tls_ja3_hash(st), "22558766122974704364c9c75c5cce0a");
	md5_hex(ja3, strlen(ja3), md);
	CHECK_STR(tls_ja3_hash(st), md);
	CHECK_STR(tls_ja3s_string(st), "771,49200,65281-11-35-16-23");
	CHECK_STR(tls_ja3s_hash(st), "895252f3ce80cebf7a8837be83ec8e16");
	CHECK_STR(tls_ja4(st), "t12d2808h2_d943125447b4_e7e480e5a997");
	CHECK_STR(tls_cert_subject(st),
		  "C=VN, ST=H\xc3\xa0 N\xe1\xbb\x99i, O=Haidang Lab, OU=Sensor, "
		  "CN=test.haidang.example, Email=ops@haidang.example");
	CHECK_STR(tls_cert_issuer(st), "C=VN, O=Haidang Test CA, CN=Haidang Root");
	CHECK_STR(tls_cert_serial(st), "00:8A:01:02:03:04:05");
	CHECK_STR(tls_cert_sha1(st),
		  "8e:77:71:54:01:7e:59:42:82:d2:d6:18:b9:ff:25:28:ba:b9:93:9b");
	CHECK(tls_cert_chain_len(st) == 2);

	j = eve(st);
	CHECK_CONTAINS(j, "\"subjectaltname\":[\"test.haidang.example\","
			  "\"*.haidang.example\",\"127.0.0.1\",\"::1\","
			  "\"ops@haidang.example\"]");
	CHECK_CONTAINS(j, "\"version\":\"TLS 1.2\",\"notbefore\":"
			  "\"2026-11-27T04:47:41\",\"notafter\":\"2029-03-01T04:47:41\"");
	CHECK_CONTAINS(j, "\"client_alpns\":[\"h2\",\"http/1.1\"],"
			  "\"server_alpns\":[\"h2\"]");
	CHECK_CONTAINS(j, "\"client\":{\"subject\":\"C=VN, O=Haidang Lab, "
			  "CN=client-7\",\"issuerdn\":\"C=VN, O=Haidang Test CA, "
			  "CN=Haidang Root\",\"fingerprint\":\"ab:81:ae:b7:bd:32:d8:"
			  "03:dd:a6:d9:bc:ba:a7:2a:39:b4:8e:6d:ac\",\"serial\":\"7B\","
			  "\"notbefore\":\"2026-11-27T04:47:42\",\"notafter\":"
			  "\"2026-12-27T04:47:42\"}");
	CHECK(!strstr(j, "session_resumed"));
	free(j);
	tls_state_destroy(st);
}

static void test_tls12_resumed(void)
{
	struct tls_state *st = run_session(&sessions[1], 0);
	char *j = eve(st);

	CHECK(tls_done(st));
	CHECK(tls_log_ready(st));
	CHECK_STR(tls_cert_sha1(st), "");
	CHECK(tls_cert_chain_len(st) == 0);
	CHECK_STR(tls_ja3_hash(st), "22558766122974704364c9c75c5cce0a");
	CHECK_STR(tls_ja3s_string(st), "771,49200,65281-16-23");
	CHECK_STR(tls_ja3s_hash(st), "d7e12962b60127bdbe4f65f39221f9e8");
	CHECK_CONTAINS(j, "{\"tls\":{\"session_resumed\":true,\"sni\":"
			  "\"test.haidang.example\",\"version\":\"TLS 1.2\",");
	free(j);
	tls_state_destroy(st);
}

static void test_tls13(void)
{
	const struct session *s = &sessions[2];
	struct tls_state *st = tls_state_create();
	char *j;

	feed_seg(st, &s->segs[0], 0);
	CHECK(tls_seen_hello(st));
	CHECK(!tls_done(st));
	CHECK(!tls_log_ready(st));
	for (size_t i = 1; i < s->n; i++)
		feed_seg(st, &s->segs[i], 0);
	/* certificate encrypted: the ServerHello is the end of it */
	CHECK(tls_done(st));
	CHECK(tls_log_ready(st));
	CHECK(tls_version(st) == TLS_VER_13);
	CHECK_STR(tls_sni(st), "test.haidang.example");
	CHECK_STR(tls_ja3_hash(st), "0149f47eabf9a20d0893e2a44e5a6323");
	CHECK_STR(tls_ja3_string(st),
		  "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-"
		  "49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-"
		  "49171-51-157-156-61-60-53-47-255,0-11-10-16-22-23-49-13-43-45-"
		  "51-21,29-23-30-25-24-256-257-258-259-260,0-1-2");
	CHECK_STR(tls_ja3s_string(st), "771,4866,43-51");
	CHECK_STR(tls_ja3s_hash(st), "15af977ce25de452b96affa2addb1036");
	CHECK_STR(tls_ja4(st), "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6");
	CHECK_STR(tls_cert_sha1(st), "");
	j = eve(st);
	CHECK_CONTAINS(j, "\"version\":\"TLS 1.3\"");
	CHECK(!strstr(j, "session_resumed"));
	CHECK(!strstr(j, "server_alpns"));
	free(j);
	tls_state_destroy(st);
}

/* Golden EVE object; review by hand when it changes. */
static void test_curl443(void)
{
	struct tls_state *st = run_session(&sessions[3], 0);
	char *j = eve(st);

	CHECK(tls_done(st));
	CHECK_STR(j,
		  "{\"tls\":{\"subject\":\"CN=www.ntop.org\",\"issuerdn\":\"C=US, "
		  "O=Let's Encrypt, CN=Let's Encrypt Authority X3\","
		  "\"subjectaltname\":[\"www.ntop.org\"],\"serial\":"
		  "\"03:C5:6F:66:36:ED:A7:2F:7F:4C:56:65:FA:05:5D:93:32:55\","
		  "\"fingerprint\":\"db:a7:e4:3e:6d:bb:21:ab:68:47:35:e8:0b:8f:15:"
		  "df:db:c7:c9:6f\",\"sni\":\"www.ntop.org\",\"version\":\"TLS 1.2\","
		  "\"notbefore\":\"2019-12-17T01:17:28\",\"notafter\":"
		  "\"2020-03-16T01:17:28\",\"ja3\":{\"hash\":"
		  "\"2a26b1a62e40d25d4de3babc9d532f30\",\"string\":\"771,52244-52243-"
		  "52245-49200-49196-49192-49188-49172-49162-163-159-107-106-57-56-"
		  "65413-196-195-136-135-129-49202-49198-49194-49190-49167-49157-"
		  "157-61-53-192-132-49199-49195-49191-49187-49171-49161-162-158-"
		  "103-64-51-50-190-189-69-68-49201-49197-49193-49189-49166-49156-"
		  "156-60-47-186-65-49170-49160-22-19-49165-49155-10-255,0-11-10-13-"
		  "13172-16-21,14-13-25-28-11-12-27-24-9-10-26-22-23-8-6-7-20-21-4-5-"
		  "18-19-1-2-3-15-16-17,0-1-2\"},\"ja3s\":{\"hash\":"
		  "\"ae53107a2e47ea20c72ac44821a728bf\",\"string\":"
		  "\"771,49199,65281-0-11-16\"},\"ja4\":"
		  "\"t12d6707h2_2955a3196ffa_c83f907a73d3\",\"client_alpns\":"
		  "[\"h2\",\"http/1.1\"],\"server_alpns\":[\"h2\"]}}");
	CHECK(tls_cert_chain_len(st) == 2);
	free(j);
	tls_state_destroy(st);
}

/* Every cut of the byte stream must give the same result. */
static void test_splits(void)
{
	static const int splits[] = { 1, 2, 3, 4, 5, 7, 13, 64, 1000, -9, -300 };

	for (size_t s = 0; s < ARRAY_SIZE(sessions); s++) {
		struct tls_state *ref = run_session(&sessions[s], 0);
		char *want = eve(ref);

		for (size_t k = 0; k < ARRAY_SIZE(splits); k++) {
			struct tls_state *st = run_session(&sessions[s], splits[k]);
			char *got = eve(st);

			if (strcmp(got, want) != 0 ||
			    tls_done(st) != tls_done(ref)) {
				fprintf(stderr, "%s split %d differs:\n  %s\n  %s\n",
					sessions[s].name, splits[k], got, want);
				check_failures++;
			}
			free(got);
			tls_state_destroy(st);
		}
		free(want);
		tls_state_destroy(ref);
	}
}

/* ---- hostile input built here ---- */

struct bld {
	uint8_t *p;
	size_t n, cap;
};

static void b_bytes(struct bld *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void b_u8(struct bld *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	b_bytes(b, &x, 1);
}

static void b_u16(struct bld *b, unsigned v)
{
	b_u8(b, v >> 8);
	b_u8(b, v);
}

static void b_u24(struct bld *b, unsigned v)
{
	b_u8(b, v >> 16);
	b_u16(b, v);
}

static void b_zero(struct bld *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b_u8(b, 0);
}

/* Patches a big-endian length of width bytes at off to its true value. */
static void b_fix(struct bld *b, size_t off, int width)
{
	size_t v = b->n - off - (size_t)width;
	for (int i = width - 1; i >= 0; i--, v >>= 8)
		b->p[off + (size_t)i] = (uint8_t)v;
}

static void b_free(struct bld *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Handshake message type + body into records of at most frag bytes. */
static void b_records(struct bld *out, uint8_t ctype, const struct bld *hs,
		      size_t frag)
{
	for (size_t off = 0; off < hs->n || (off == 0 && hs->n == 0);) {
		size_t k = hs->n - off < frag ? hs->n - off : frag;
		b_u8(out, ctype);
		b_u16(out, 0x0303);
		b_u16(out, (unsigned)k);
		b_bytes(out, hs->p + off, k);
		off += k;
		if (hs->n == 0)
			break;
	}
}

/* ClientHello head: version, random, empty session id, ciphers 47 and a
 * GREASE one, null compression. The caller appends the extension block. */
static size_t ch_begin(struct bld *hs)
{
	size_t len_off;

	b_u8(hs, 1);
	len_off = hs->n;
	b_u24(hs, 0);
	b_u16(hs, 0x0303);
	b_zero(hs, 32);
	b_u8(hs, 0);
	b_u16(hs, 4);
	b_u16(hs, 0x2f);
	b_u16(hs, 0x1a1a);
	b_u8(hs, 1);
	b_u8(hs, 0);
	return len_off;
}

static void ext_sni(struct bld *hs, const char *name, size_t n)
{
	b_u16(hs, 0);
	b_u16(hs, (unsigned)(n + 5));
	b_u16(hs, (unsigned)(n + 3));
	b_u8(hs, 0);
	b_u16(hs, (unsigned)n);
	b_bytes(hs, name, n);
}

static struct tls_state *feed_client(const struct bld *hs, size_t frag, int split)
{
	struct tls_state *st = tls_state_create();
	struct bld rec = { 0 };

	b_records(&rec, 22, hs, frag);
	feed_split(st, 0, rec.p, rec.n, split);
	b_free(&rec);
	return st;
}

static void test_record_errors(void)
{
	static const uint8_t too_long[] = { 22, 3, 3, 0x48, 0x01, 1, 0, 0, 0 };
	static const uint8_t bad_type[] = { 99, 3, 3, 0, 4, 1, 0, 0, 0 };
	static const uint8_t bad_ver[] = { 22, 2, 0, 0, 4, 1, 0, 0, 0 };
	static const uint8_t sslv2[] = { 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15,
					 0x00, 0x00, 0x00, 0x10, 0x01, 0x00 };
	struct tls_state *st;

	st = tls_state_create();
	tls_feed(st, 0, too_long, sizeof(too_long));
	tls_feed(st, 1, bad_type, sizeof(bad_type));
	CHECK(tls_get_counters(st)->bad_record == 2);
	CHECK(tls_done(st)); /* both directions given up */
	/* a valid hello afterwards is ignored: the direction is gone */
	{
		struct tls_state *ok = run_session(&sessions[3], 0);
		CHECK(tls_seen_hello(ok));
		tls_state_destroy(ok);
	}
	feed_seg(st, &sessions[3].segs[0], 0);
	CHECK(!tls_seen_hello(st));
	tls_state_destroy(st);

	st = tls_state_create();
	tls_feed(st, 0, bad_ver, sizeof(bad_ver));
	CHECK(tls_get_counters(st)->bad_record == 1);
	tls_state_destroy(st);

	st = tls_state_create();
	feed_split(st, 0, sslv2, sizeof(sslv2), 1);
	CHECK(tls_get_counters(st)->sslv2_hello == 1);
	CHECK(!tls_seen_hello(st));
	tls_state_destroy(st);

	/* fatal alert in clear: nothing more to learn */
	{
		static const uint8_t alert[] = { 21, 3, 3, 0, 2, 2, 40 };
		st = tls_state_create();
		feed_seg(st, &sessions[3].segs[0], 0);
		CHECK(!tls_done(st));
		feed_split(st, 1, alert, sizeof(alert), 1);
		CHECK(tls_done(st));
		tls_state_destroy(st);
	}

	/* NULL and bad arguments are ignored */
	tls_state_destroy(NULL);
	tls_feed(NULL, 0, too_long, sizeof(too_long));
	st = tls_state_create();
	tls_feed(st, 2, too_long, sizeof(too_long));
	tls_feed(st, -1, too_long, sizeof(too_long));
	tls_feed(st, 0, NULL, 5);
	tls_feed(st, 0, too_long, 0);
	CHECK(tls_get_counters(st)->bad_record == 0);
	CHECK_STR(tls_sni(st), "");
	CHECK_STR(tls_ja3_hash(st), "");
	CHECK_STR(tls_ja3_string(st), "");
	CHECK_STR(tls_cert_sha1(st), "");
	CHECK_STR(tls_cert_subject(st), "");
	{
		char *j = eve(st);
		CHECK_STR(j, "{\"tls\":{\"version\":\"UNDETERMINED\"}}");
		free(j);
	}
	tls_state_destroy(st);
}

static void test_lying_lengths(void)
{
	struct bld hs = { 0 };
	struct tls_state *st;
	size_t len_off, ext_off;

	/* cipher suite length beyond the message */
	b_u8(&hs, 1);
	len_off = hs.n;
	b_u24(&hs, 0);
	b_u16(&hs, 0x0303);
	b_zero(&hs, 32);
	b_u8(&hs, 0);
	b_u16(&hs, 0xfffe);
	b_u16(&hs, 0x2f);
	b_fix(&hs, len_off, 3);
	st = feed_client(&hs, 16384, 0);
	CHECK(!tls_seen_hello(st));
	CHECK(tls_get_counters(st)->bad_handshake == 1);
	CHECK_STR(tls_ja3_hash(st), "");
	tls_state_destroy(st);
	b_free(&hs);

	/* odd cipher suite length */
	len_off = ch_begin(&hs);
	hs.p[len_off + 3 + 2 + 32 + 1 + 1] = 3;
	b_fix(&hs, len_off, 3);
	st = feed_client(&hs, 16384, 0);
	CHECK(!tls_seen_hello(st));
	tls_state_destroy(st);
	b_free(&hs);

	/* handshake length announces more than ever comes */
	len_off = ch_begin(&hs);
	b_fix(&hs, len_off, 3);
	hs.p[len_off] = 0x00;
	hs.p[len_off + 1] = 0x7f;
	hs.p[len_off + 2] = 0xff;
	st = feed_client(&hs, 16384, 3);
	CHECK(!tls_seen_hello(st));
	CHECK(!tls_done(st));
	tls_state_destroy(st); /* leak check: the partial message is freed */
	b_free(&hs);

	/* extension block longer than the message; the SNI inside still reads */
	len_off = ch_begin(&hs);
	ext_off = hs.n;
	b_u16(&hs, 0);
	ext_sni(&hs, "a.example", 9);
	b_u16(&hs, 11);
	b_u16(&hs, 2);
	b_u8(&hs, 1);
	b_u8(&hs, 0);
	b_fix(&hs, ext_off, 2);
	hs.p[ext_off] = 0x40; /* +16384 */
	b_fix(&hs, len_off, 3);
	st = feed_client(&hs, 16384, 0);
	CHECK(tls_seen_hello(st));
	CHECK(tls_get_counters(st)->bad_extension >= 1);
	CHECK_STR(tls_sni(st), "a.example");
	CHECK_STR(tls_ja3_string(st), "771,47,0-11,,0");
	tls_state_destroy(st);
	b_free(&hs);

	/* an extension whose length runs past the block */
	len_off = ch_begin(&hs);
	ext_off = hs.n;
	b_u16(&hs, 0);
	b_u16(&hs, 23);
	b_u16(&hs, 0);
	b_u16(&hs, 16);
	b_u16(&hs, 200);
	b_u8(&hs, 2);
	b_fix(&hs, ext_off, 2);
	b_fix(&hs, len_off, 3);
	st = feed_client(&hs, 16384, 0);
	CHECK(tls_seen_hello(st));
	CHECK(tls_get_counters(st)->bad_extension >= 1);
	CHECK_STR(tls_ja3_string(st), "771,47,23,,");
	tls_state_destroy(st);
	b_free(&hs);

	/* inner lengths lying: SNI list, ALPN list, groups, point formats */
	len_off = ch_begin(&hs);
	ext_off = hs.n;
	b_u16(&hs, 0);
	b_u16(&hs, 0); b_u16(&hs, 5); b_u16(&hs, 60); b_u8(&hs, 0); b_u16(&hs, 50);
	b_u16(&hs, 16); b_u16(&hs, 4); b_u16(&hs, 2); b_u8(&hs, 9); b_u8(&hs, 'x');
	b_u16(&hs, 10); b_u16(&hs, 4); b_u16(&hs, 40); b_u16(&hs, 23);
	b_u16(&hs, 11); b_u16(&hs, 2); b_u8(&hs, 9); b_u8(&hs, 0);
	b_u16(&hs, 43); b_u16(&hs, 3); b_u8(&hs, 8); b_u16(&hs, 0x0304);
	b_u16(&hs, 13); b_u16(&hs, 3); b_u16(&hs, 3); b_u8(&hs, 4);
	b_fix(&hs, ext_off, 2);
	b_fix(&hs, len_off, 3);
	st = feed_client(&hs, 16384, 1);
	CHECK(tls_seen_hello(st));
	CHECK_STR(tls_sni(st), "");
	CHECK_STR(tls_ja3_string(st), "771,47,0-16-10-11-43-13,,");
	/* SNI extension present (if unreadable), 1 cipher, 6 extensions,
	 * no usable ALPN, supported_versions unreadable: TLS 1.2 */
	CHECK(strncmp(tls_ja4(st), "t12d010600_", 11) == 0);
	{
		char *j = eve(st);
		CHECK(!strstr(j, "client_alpns"));
		free(j);
	}
	tls_state_destroy(st);
	b_free(&hs);
}

static void test_zero_length_extensions(void)
{
	static const unsigned types[] = { 0, 16, 43, 10, 11, 13, 35, 0x2a2a, 65281 };
	struct bld hs = { 0 };
	struct tls_state *st;
	size_t len_off, ext_off;

	len_off = ch_begin(&hs);
	ext_off = hs.n;
	b_u16(&hs, 0);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		b_u16(&hs, types[i]);
		b_u16(&hs, 0);
	}
	b_fix(&hs, ext_off, 2);
	b_fix(&hs, len_off, 3);
	st = feed_client(&hs, 16384, 0);
	CHECK(tls_seen_hello(st));
	CHECK_STR(tls_sni(st), "");
	CHECK_STR(tls_ja3_string(st), "771,47,0-16-43-10-11-13-35-65281,,");
	/* 8 extensions without GREASE; SNI present even if empty */
	CHECK(strncmp(tls_ja4(st), "t12d010800_", 11) == 0);
	tls_state_destroy(st);
	b_free(&hs);

	/* no extension block at all, and a lone stray byte after compression */
	for (int stray = 0; stray < 2; stray++) {
		len_off = ch_begin(&hs);
		if (stray)
			b_u8(&hs, 7);
		b_fix(&hs, len_off, 3);
		st = feed_client(&hs, 16384, 0);
		CHECK(tls_seen_hello(st));
		CHECK_STR(tls_ja3_string(st), "771,47,,,");
		/* sha256("002f") and sha256("_"), first 12 hex digits */
		CHECK_STR(tls_ja4(st), "t12i010000_ba72b8082249_d2e2adf7177b");
		tls_state_destroy(st);
		b_free(&hs);
	}
}

/* Thousands of extensions over several records: bounded string, full hash. */
static void test_many_extensions(void)
{
	struct bld hs = { 0 }, want = { 0 };
	struct tls_state *st;
	size_t len_off, ext_off;
	char md[33];
	char num[16];
	const unsigned count = 3500;

	len_off = ch_begin(&hs);
	ext_off = hs.n;
	b_u16(&hs, 0);
	b_bytes(&want, "771,47,", 7);
	for (unsigned i = 0; i < count; i++) {
		unsigned type = 1000 + i; /* includes GREASE 2570 = 0x0a0a */
		int k = snprintf(num, sizeof(num), i ? "-%u" : "%u", type);
		b_u16(&hs, type);
		b_u16(&hs, 0);
		if (type != 0x0a0a)
			b_bytes(&want, num, (size_t)k);
	}
	b_bytes(&want, ",,", 2);
	b_fix(&hs, ext_off, 2);
	b_fix(&hs, len_off, 3);
	CHECK(hs.n > 14000);
	st = feed_client(&hs, 1000, 0); /* message spans 15 records */
	CHECK(tls_seen_hello(st));
	md5_hex((const char *)want.p, want.n, md);
	CHECK_STR(tls_ja3_hash(st), md);
	CHECK(strlen(tls_ja3_string(st)) == TLS_JA3_STR_MAX);
	CHECK(memcmp(tls_ja3_string(st), want.p, TLS_JA3_STR_MAX) == 0);
	/* 3499 extensions without GREASE: the count stops at 99 */
	CHECK(strncmp(tls_ja4(st), "t12i0199", 8) == 0);
	tls_state_destroy(st);
	b_free(&hs);
	b_free(&want);
}

/* A hello beyond TLS_DIR_BUF_MAX: the direction is given up and counted. */
static void test_oversized_hello(void)
{
	struct bld hs = { 0 };
	struct tls_state *st;
	size_t len_off, ext_off;

	len_off = ch_begin(&hs);
	ext_off = hs.n;
	b_u16(&hs, 0);
	b_u16(&hs, 21); /* padding */
	b_u16(&hs, 40000);
	b_zero(&hs, 40000);
	b_fix(&hs, ext_off, 2);
	b_fix(&hs, len_off, 3);
	st = feed_client(&hs, 16384, 4096);
	CHECK(!tls_seen_hello(st));
	CHECK(tls_get_counters(st)->overflow == 1);
	tls_state_destroy(st);
	b_free(&hs);
}

/* A SNI longer than a host name can be is not recorded. */
static void test_long_sni(void)
{
	char name[300];
	struct bld hs = { 0 };
	struct tls_state *st;
	size_t len_off, ext_off;

	memset(name, 'a', sizeof(name));
	for (int pass = 0; pass < 2; pass++) {
		size_t n = pass ? TLS_SNI_MAX : sizeof(name);
		len_off = ch_begin(&hs);
		ext_off = hs.n;
		b_u16(&hs, 0);
		ext_sni(&hs, name, n);
		b_fix(&hs, ext_off, 2);
		b_fix(&hs, len_off, 3);
		st = feed_client(&hs, 100, 0);
		CHECK(tls_seen_hello(st));
		CHECK(strlen(tls_sni(st)) == (pass ? TLS_SNI_MAX : 0));
		tls_state_destroy(st);
		b_free(&hs);
	}
}

/* The server certificate DER of s_tls12_mutual. */
static uint8_t *server_cert_der(size_t *n)
{
	size_t len, total = 0;
	uint8_t *all = NULL, *der;

	/* the server's segments of the session, joined */
	for (size_t i = 0; i < sessions[0].n; i++) {
		uint8_t *p;
		if (sessions[0].segs[i].dir != 1)
			continue;
		p = unhex(sessions[0].segs[i].hex, &len);
		all = realloc(all, total + len);
		if (!all) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		memcpy(all + total, p, len);
		total += len;
		free(p);
	}
	/* find the Certificate message: record body starts with 0b */
	for (size_t off = 0; off + 5 < total;) {
		size_t rl = (size_t)all[off + 3] << 8 | all[off + 4];
		if (all[off] == 22 && all[off + 5] == 11) {
			const uint8_t *m = all + off + 5 + 4 + 3;
			len = (size_t)m[0] << 16 | (size_t)m[1] << 8 | m[2];
			if (m + 3 + len > all + total) /* not from this vector */
				break;
			der = malloc(len);
			if (!der) {
				fprintf(stderr, "out of memory\n");
				exit(2);
			}
			memcpy(der, m + 3, len);
			free(all);
			*n = len;
			return der;
		}
		off += 5 + rl;
	}
	free(all);
	*n = 0;
	return NULL;
}

static void server_hello(struct bld *hs)
{
	size_t len_off = hs->n + 1, ext_off;

	b_u8(hs, 2);
	b_u24(hs, 0);
	b_u16(hs, 0x0303);
	b_zero(hs, 32);
	b_u8(hs, 0);
	b_u16(hs, 0xc02f);
	b_u8(hs, 0);
	ext_off = hs->n;
	b_u16(hs, 0);
	b_u16(hs, 65281);
	b_u16(hs, 1);
	b_u8(hs, 0);
	b_fix(hs, ext_off, 2);
	b_fix(hs, len_off, 3);
}

static void test_certificates(void)
{
	size_t der_len, len_off, chain_off;
	uint8_t *der = server_cert_der(&der_len);
	struct bld hs = { 0 };
	struct tls_state *st;

	CHECK(der && der_len > 500);
	if (!der)
		return;

	/* ServerHello + Certificate(real, 40000-byte junk) + ServerHelloDone in
	 * one handshake stream: the message exceeds TLS_DIR_BUF_MAX, its
	 * first certificate is still read */
	server_hello(&hs);
	b_u8(&hs, 11);
	len_off = hs.n;
	b_u24(&hs, 0);
	chain_off = hs.n;
	b_u24(&hs, 0);
	b_u24(&hs, (unsigned)der_len);
	b_bytes(&hs, der, der_len);
	b_u24(&hs, 40000);
	b_zero(&hs, 40000);
	b_fix(&hs, chain_off, 3);
	b_fix(&hs, len_off, 3);
	b_u8(&hs, 14);
	b_u24(&hs, 0);
	{
		struct bld rec = { 0 };
		b_records(&rec, 22, &hs, 16384);
		st = tls_state_create();
		feed_split(st, 1, rec.p, rec.n, -3000);
		b_free(&rec);
	}
	CHECK(tls_get_counters(st)->overflow == 1);
	CHECK_STR(tls_cert_sha1(st),
		  "8e:77:71:54:01:7e:59:42:82:d2:d6:18:b9:ff:25:28:ba:b9:93:9b");
	CHECK(tls_cert_chain_len(st) == 1);
	CHECK(tls_done(st)); /* ServerHelloDone after the skipped tail */
	CHECK_STR(tls_ja3s_string(st), "771,49199,65281");
	tls_state_destroy(st);
	b_free(&hs);

	/* garbage DER, then a certificate length beyond the chain */
	for (int pass = 0; pass < 2; pass++) {
		server_hello(&hs);
		b_u8(&hs, 11);
		len_off = hs.n;
		b_u24(&hs, 0);
		chain_off = hs.n;
		b_u24(&hs, 0);
		b_u24(&hs, pass ? 5000 : 300);
		for (int i = 0; i < 300; i++)
			b_u8(&hs, (unsigned)(0x30 + i));
		b_fix(&hs, chain_off, 3);
		b_fix(&hs, len_off, 3);
		{
			struct bld rec = { 0 };
			b_records(&rec, 22, &hs, 16384);
			st = tls_state_create();
			feed_split(st, 1, rec.p, rec.n, 7);
			b_free(&rec);
		}
		CHECK(tls_get_counters(st)->bad_certificate == 1);
		CHECK_STR(tls_cert_sha1(st), "");
		CHECK(!tls_log_ready(st));
		tls_state_destroy(st);
		b_free(&hs);
	}
	free(der);
}

/* Two ClientHellos: the first one's JA3 is kept (Suricata issue 6634). */
static void test_duplicate_hello(void)
{
	struct bld hs = { 0 };
	struct tls_state *st;
	size_t len_off, ext_off;

	for (int i = 0; i < 2; i++) {
		len_off = ch_begin(&hs);
		ext_off = hs.n;
		b_u16(&hs, 0);
		b_u16(&hs, i ? 44 : 35);
		b_u16(&hs, 0);
		b_fix(&hs, ext_off, 2);
		b_fix(&hs, len_off, 3);
	}
	st = feed_client(&hs, 30, 1);
	CHECK(tls_get_counters(st)->duplicate_hello == 1);
	CHECK_STR(tls_ja3_string(st), "771,47,35,,");
	tls_state_destroy(st);
	b_free(&hs);
}

/* Several messages in one record, and a message spread over 1-byte records. */
static void test_record_packing(void)
{
	struct bld hs = { 0 }, rec = { 0 };
	struct tls_state *st;

	server_hello(&hs);
	b_u8(&hs, 14);
	b_u24(&hs, 0);
	b_records(&rec, 22, &hs, 16384);
	st = tls_state_create();
	tls_feed(st, 1, rec.p, rec.n);
	CHECK(tls_done(st));
	CHECK(tls_version(st) == TLS_VER_12);
	tls_state_destroy(st);
	b_free(&rec);

	b_records(&rec, 22, &hs, 1);
	st = tls_state_create();
	feed_split(st, 1, rec.p, rec.n, -11);
	CHECK(tls_done(st));
	CHECK_STR(tls_ja3s_string(st), "771,49199,65281");
	tls_state_destroy(st);
	b_free(&rec);
	b_free(&hs);
}

/* Self-signed EC certificate made for this test (openssl req -x509
 * -multivalue-rdn -subj "/O=Haidang Lab/OU=Sensor+CN=multi.example/
 * serialNumber=A-42" -set_serial 0x00ff -days 30000): a two-valued RDN, a
 * PrintableString serialNumber attribute, notAfter as GeneralizedTime 2109. */
static const char multi_cert_hex[] =
	"308201de30820183a003020102020200ff300a06082a8648ce3d040302304c31"
	"143012060355040a0c0b48616964616e67204c61623125300d060355040b0c06"
	"53656e736f72301406035504030c0d6d756c74692e6578616d706c65310d300b"
	"06035504051304412d34323020170d3236313132373034353230385a180f3231"
	"3039303131363034353230385a304c31143012060355040a0c0b48616964616e"
	"67204c61623125300d060355040b0c0653656e736f72301406035504030c0d6d"
	"756c74692e6578616d706c65310d300b06035504051304412d34323059301306"
	"072a8648ce3d020106082a8648ce3d03010703420004acb99045efea7a30d98f"
	"0a29c484406d288e7f3f817878f1b5ebda3fa4e5537d55a6481266264ac46b96"
	"32209211db10287b8be6aa3ad1edf834c616209ea313a3533051301d0603551d"
	"0e04160414dc045d266eb02990570e3f014a654ee679d53ebf301f0603551d23"
	"041830168014dc045d266eb02990570e3f014a654ee679d53ebf300f0603551d"
	"130101ff040530030101ff300a06082a8648ce3d0403020349003046022100eb"
	"96ba518607b98f7634d28841678753b7551281e072f077eb7d42e3822bf60b02"
	"210095783dd5026db356da427b80a0b5e41346b9d5e350b2859ebf5b5a2d5438"
	"b97f";

static void test_cert_multi_rdn(void)
{
	size_t der_len, len_off, chain_off;
	uint8_t *der = unhex(multi_cert_hex, &der_len);
	struct bld hs = { 0 }, rec = { 0 };
	struct tls_state *st = tls_state_create();
	char *j;

	server_hello(&hs);
	b_u8(&hs, 11);
	len_off = hs.n;
	b_u24(&hs, 0);
	chain_off = hs.n;
	b_u24(&hs, 0);
	b_u24(&hs, (unsigned)der_len);
	b_bytes(&hs, der, der_len);
	b_fix(&hs, chain_off, 3);
	b_u8(&hs, 0xde); /* bytes after the list, inside the message */
	b_u8(&hs, 0xad);
	b_u8(&hs, 0x01);
	b_fix(&hs, len_off, 3);
	b_records(&rec, 22, &hs, 200);
	feed_split(st, 1, rec.p, rec.n, 1);
	CHECK(tls_get_counters(st)->bad_certificate == 0);
	CHECK(tls_cert_chain_len(st) == 1);
	CHECK_STR(tls_cert_subject(st),
		  "O=Haidang Lab, OU=Sensor + CN=multi.example, serialNumber=A-42");
	CHECK_STR(tls_cert_issuer(st), tls_cert_subject(st));
	CHECK_STR(tls_cert_serial(st), "00:FF");
	CHECK_STR(tls_cert_sha1(st),
		  "09:b1:54:ad:96:ae:4a:a0:11:6c:9d:f1:15:00:c7:ec:85:c0:ea:dc");
	j = eve(st);
	CHECK_CONTAINS(j, "\"notbefore\":\"2026-11-27T04:52:08\","
			  "\"notafter\":\"2109-01-16T04:52:08\"");
	CHECK(!strstr(j, "subjectaltname"));
	free(j);
	tls_state_destroy(st);
	b_free(&rec);
	b_free(&hs);
	free(der);
}

/* The EVE object of a server that sends ServerHello and a Certificate
 * message holding der; *sha1 (60 bytes) gets the fingerprint. */
static char *cert_eve(const uint8_t *der, size_t der_len, char *sha1)
{
	struct bld hs = { 0 }, rec = { 0 };
	struct tls_state *st = tls_state_create();
	size_t len_off, chain_off;
	char *j;

	server_hello(&hs);
	b_u8(&hs, 11);
	len_off = hs.n;
	b_u24(&hs, 0);
	chain_off = hs.n;
	b_u24(&hs, 0);
	b_u24(&hs, (unsigned)der_len);
	b_bytes(&hs, der, der_len);
	b_fix(&hs, chain_off, 3);
	b_fix(&hs, len_off, 3);
	b_records(&rec, 22, &hs, 16384);
	feed_split(st, 1, rec.p, rec.n, 0);
	j = eve(st);
	if (sha1)
		str_copy(sha1, tls_cert_sha1(st), 60);
	tls_state_destroy(st);
	b_free(&rec);
	b_free(&hs);
	return j;
}

static void sha1_hex(const uint8_t *p, size_t n, char out[60])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	out[0] = '\0';
	if (EVP_Digest(p, n, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		return;
	for (unsigned i = 0; i < 20; i++)
		snprintf(out + 3 * i, 4, i < 19 ? "%02x:" : "%02x", md[i]);
}

/* The per-thread certificate cache: a hit writes exactly what a fresh
 * decode writes, for good and broken certificates alike, and eviction
 * (more certificates than the cache holds) loses nothing. */
static void test_cert_cache(void)
{
	size_t der_len;
	uint8_t *der = server_cert_der(&der_len), *m;
	char *fresh, *hit, *ref, want[60], got[60];

	CHECK(der && der_len > 500);
	if (!der)
		return;
	m = malloc(der_len);
	if (!m) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	tls_cert_cache_flush();
	ref = cert_eve(der, der_len, NULL);
	CHECK_CONTAINS(ref, "\"subjectaltname\":[");

	/* mutated and cut copies: miss, then hit, must agree */
	for (int iter = 0; iter < 400; iter++) {
		size_t n = der_len;

		memcpy(m, der, der_len);
		for (int f = 1 + (int)(rng() % 3); f > 0; f--)
			m[rng() % der_len] ^= (uint8_t)(1u << (rng() % 8));
		if (iter % 5 == 0)
			n = (size_t)(rng() % (der_len + 1));
		tls_cert_cache_flush();
		fresh = cert_eve(m, n, NULL);
		hit = cert_eve(m, n, NULL);
		CHECK_STR(hit, fresh);
		free(fresh);
		free(hit);
	}

	/* 1500 certificates differing in the signature's last byte: each has
	 * its own fingerprint, the first ones come back after eviction */
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 1500; i++) {
			memcpy(m, der, der_len);
			m[der_len - 1] ^= (uint8_t)i;
			m[der_len - 2] ^= (uint8_t)(i >> 8);
			sha1_hex(m, der_len, want);
			hit = cert_eve(m, der_len, got);
			CHECK_STR(got, want);
			/* the same output as the original, fingerprint aside */
			CHECK(strlen(hit) == strlen(ref));
			free(hit);
		}
	}
	hit = cert_eve(der, der_len, NULL);
	CHECK_STR(hit, ref);
	free(hit);
	tls_cert_cache_flush();
	tls_cert_cache_flush(); /* twice: harmless */
	free(ref);
	free(m);
	free(der);
}

/* A ClientHello with supported_versions, so a TLS 1.3 answer is believed. */
static void client_hello_sv(struct tls_state *st)
{
	struct bld hs = { 0 }, rec = { 0 };
	size_t len_off = ch_begin(&hs), ext_off = hs.n;

	b_u16(&hs, 0);
	b_u16(&hs, 43);
	b_u16(&hs, 5);
	b_u8(&hs, 4);
	b_u16(&hs, 0x7f1c);
	b_u16(&hs, 0x0303);
	b_fix(&hs, ext_off, 2);
	b_fix(&hs, len_off, 3);
	b_records(&rec, 22, &hs, 16384);
	tls_feed(st, 0, rec.p, rec.n);
	b_free(&rec);
	b_free(&hs);
}

static void test_tls13_drafts(void)
{
	struct bld hs = { 0 }, rec = { 0 };
	struct tls_state *st;
	size_t len_off, ext_off;
	char *j;

	/* draft 19: version in the ServerHello, no session id, no compression */
	st = tls_state_create();
	client_hello_sv(st);
	CHECK(strncmp(tls_ja4(st), "t00i0101", 8) == 0); /* draft is "00" */
	b_u8(&hs, 2);
	len_off = hs.n;
	b_u24(&hs, 0);
	b_u16(&hs, 0x7f13);
	b_zero(&hs, 32);
	b_u16(&hs, 0x1302);
	ext_off = hs.n;
	b_u16(&hs, 0);
	b_u16(&hs, 40);
	b_u16(&hs, 0);
	b_fix(&hs, ext_off, 2);
	b_fix(&hs, len_off, 3);
	b_records(&rec, 22, &hs, 16384);
	tls_feed(st, 1, rec.p, rec.n);
	CHECK(tls_version(st) == 0x7f13);
	CHECK(tls_log_ready(st));
	CHECK(tls_done(st));
	CHECK_STR(tls_ja3s_string(st), "32531,4866,40");
	j = eve(st);
	CHECK_CONTAINS(j, "\"version\":\"TLS 1.3 draft-19\"");
	free(j);
	tls_state_destroy(st);
	b_free(&rec);
	b_free(&hs);

	/* draft 28 and final: legacy 1.2 header, supported_versions decides;
	 * without the client's extension it is not believed to hide the
	 * certificate (as Suricata) */
	for (int pass = 0; pass < 3; pass++) {
		unsigned v = pass == 0 ? 0x7f1c : 0x0304;
		st = tls_state_create();
		if (pass < 2)
			client_hello_sv(st);
		b_u8(&hs, 2);
		len_off = hs.n;
		b_u24(&hs, 0);
		b_u16(&hs, 0x0303);
		b_zero(&hs, 32);
		b_u8(&hs, 0);
		b_u16(&hs, 0x1301);
		b_u8(&hs, 0);
		ext_off = hs.n;
		b_u16(&hs, 0);
		b_u16(&hs, 43);
		b_u16(&hs, 2);
		b_u16(&hs, v);
		b_fix(&hs, ext_off, 2);
		b_fix(&hs, len_off, 3);
		b_records(&rec, 22, &hs, 16384);
		tls_feed(st, 1, rec.p, rec.n);
		CHECK(tls_version(st) == v);
		CHECK(tls_log_ready(st) == (pass < 2));
		CHECK(tls_done(st) == (pass < 2));
		CHECK_STR(tls_ja3s_string(st), "771,4865,43");
		tls_state_destroy(st);
		b_free(&rec);
		b_free(&hs);
	}
}

/* Without a ServerHello the version is the server's record version. */
static void test_record_version_only(void)
{
	static const uint8_t warn[] = { 21, 3, 1, 0, 2, 1, 0 };
	static const uint8_t empty[] = { 23, 3, 3, 0, 0 };
	struct tls_state *st = tls_state_create();
	char *j;

	feed_split(st, 1, warn, sizeof(warn), 1);
	CHECK(tls_version(st) == TLS_VER_10);
	CHECK(!tls_done(st)); /* a warning alert ends nothing */
	feed_split(st, 0, empty, sizeof(empty), 2);
	feed_split(st, 0, empty, sizeof(empty), 0);
	CHECK(tls_get_counters(st)->bad_record == 0);
	CHECK(!tls_seen_hello(st));
	j = eve(st);
	CHECK_STR(j, "{\"tls\":{\"version\":\"TLSv1\"}}");
	free(j);
	tls_state_destroy(st);
}

static void test_version_names(void)
{
	char b[TLS_VERSION_STRLEN];

	CHECK_STR(tls_version_name(0, b, sizeof(b)), "UNDETERMINED");
	CHECK_STR(tls_version_name(0x0200, b, sizeof(b)), "SSLv2");
	CHECK_STR(tls_version_name(0x0300, b, sizeof(b)), "SSLv3");
	CHECK_STR(tls_version_name(0x0301, b, sizeof(b)), "TLSv1");
	CHECK_STR(tls_version_name(0x0302, b, sizeof(b)), "TLS 1.1");
	CHECK_STR(tls_version_name(0x0303, b, sizeof(b)), "TLS 1.2");
	CHECK_STR(tls_version_name(0x0304, b, sizeof(b)), "TLS 1.3");
	CHECK_STR(tls_version_name(0x7f13, b, sizeof(b)), "TLS 1.3 draft-19");
	CHECK_STR(tls_version_name(0x7f1c, b, sizeof(b)), "TLS 1.3 draft-28");
	CHECK_STR(tls_version_name(0x7f01, b, sizeof(b)), "TLS 1.3 draft-<16");
	CHECK_STR(tls_version_name(0xfb1a, b, sizeof(b)), "TLS 1.3 draft-26-fb");
	CHECK_STR(tls_version_name(0x0a0a, b, sizeof(b)), "0x0a0a");
}

/* Mutated copies of the real handshakes, cut at random: must not crash. */
static void test_mutations(void)
{
	for (int iter = 0; iter < 3000; iter++) {
		const struct session *s = &sessions[rng() % ARRAY_SIZE(sessions)];
		struct tls_state *st = tls_state_create();
		int flips = 1 + (int)(rng() % 4);
		char *j;

		for (size_t i = 0; i < s->n; i++) {
			size_t n;
			uint8_t *p = unhex(s->segs[i].hex, &n);

			for (int f = 0; f < flips && n; f++)
				if (rng() % 3 == 0)
					p[rng() % n] ^= (uint8_t)(1u << (rng() % 8));
			if (rng() % 16 == 0)
				n = (size_t)(rng() % (n + 1));
			feed_split(st, s->segs[i].dir, p, n, -(int)(1 + rng() % 700));
			free(p);
		}
		(void)tls_done(st);
		(void)tls_log_ready(st);
		j = eve(st);
		free(j);
		tls_state_destroy(st);
	}
}

int main(void)
{
	test_tls12_mutual();
	test_tls12_resumed();
	test_tls13();
	test_curl443();
	test_splits();
	test_record_errors();
	test_lying_lengths();
	test_zero_length_extensions();
	test_many_extensions();
	test_oversized_hello();
	test_long_sni();
	test_certificates();
	test_duplicate_hello();
	test_record_packing();
	test_cert_multi_rdn();
	test_cert_cache();
	test_tls13_drafts();
	test_record_version_only();
	test_version_names();
	test_mutations();
	if (check_failures) {
		fprintf(stderr, "test_proto_tls: %d check(s) failed\n", check_failures);
		return 1;
	}
	printf("test_proto_tls: ok\n");
	return 0;
}
