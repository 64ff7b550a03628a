/*
 * test_proto_quic.c - unit test of the QUIC parser (sensor/proto_quic.c).
 *
 * Checks Initial packet protection against RFC 9001 appendix A.2 (the
 * client Initial is rebuilt here from the RFC's plaintext and keys and
 * must match the RFC's protected bytes; the parser must then decrypt it
 * with keys it derives from the DCID alone), then real client Initials and
 * gQUIC hellos taken from public captures, whose SNI, version and ALPN must
 * equal what tshark 4.0.17 decrypts from the same frames, and Suricata's
 * expected JA4 and CYU for the two suricata-verify captures. Then hostile
 * input: CRYPTO frames out of order, overlapping, with gaps or beyond the
 * buffer; lying lengths at every level; Retry; unknown versions; and
 * mutated copies of the real packets, which must be counted and survived.
 * Meant to run under -fsanitize=address,undefined. Standalone: exit 0 on
 * success, 1 with a message per failed check otherwise.
 *
 * Provenance of the packets (UDP payloads, tshark -e udp.payload):
 *  nDPI tests/pcap quic-29.pcap, quic-v2.pcapng,
 *  quic_frags_ch_in_multiple_packets.pcapng, quic_q46.pcap; suricata-verify
 *  tests ja4-tls-quic and quic-cyu (input.pcap), as in ../shared/corpus.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "check.h"
#include "jsonw.h"
#include "proto_quic.h"
#include "util.h"

#include "banned.h"

/* ---- captured packets ---- */

/* nDPI quic-29.pcap frame 1: client Initial, draft-29, DCID f36e07bf.. */
static const char q29_initial[] =
	"c2ff00001d12f36e07bf0b7088ef28c71d488acaaff39ffc1143944eda18beb7e548b38d"
	"375bf3c2a3bc0044b743b590a797856cfe3b435db160a5ce8ae47c38a73c65dfb3e7fc03"
	"4e2681da0ca59a6a5f5e85969d6f66e1c7e8dbdb824eba947a841c0e536314a8ce65386b"
	"a7e42b7da0efcc5f933f699b755027e43545c9cdd31b0f7273a78d6a0ce2c6201462ba01"
	"2c562fd43601e7872d9a4514085dfc0be2eb3f95d23f665cb374043900dd88dbe158a531"
	"faf9dec890f60ddbf539fdf5de821122dc9e5d59f62f129a7364633f83d1021a1d3a9583"
	"ae7901ebabbc1ce17152fe10f4753c6a7965fd96ad711b4dfe4cf3145cdfe58a185f06ed"
	"8b29c485fc910d8a7d3486b9694e678070e8780218f04a808e46730c166ba4910def45ca"
	"760c5b674f71db8f2f9228bf0583ec9bc8308d2f99f8d303529e419dd4aa25a9fa2d876e"
	"881292d454361023073e27c801e46415f1ac6088dc1c42c726f7776e322e4398dc2c3435"
	"d46336f40ab0d0231d94267419950524fa0e058b5b5a407e000af332fee5d5fa5d0bce4b"
	"13a91868d4aea72fe4c67e2ad0577d9e53a297873317b9e9e348665104f9cee50e20c7b9"
	"ec6e1a93497b8cb3cf1609e33dcb89e7e6e1647831a84a2ee983e255e6915287084c45a4"
	"138ec555d2785dcb4dec2316adbb6b55347288aa06e632a38a9443cbe1409d6a5663976c"
	"414e152adcb89e17625e973269acc23224c1973019949fbdbd5cf2528da05594dd4f5026"
	"c900898e60b3620fb0ab836ac44e610f1e01565158ed59487d3f8b39765e33efa7b08389"
	"698ec96925b68bed638bb8c6bf0bd9fa5eb10792539e2b2a9d44dd17c1919110224e0db9"
	"1c1b291f0b56aeafcfa3896abf30d960cdc989a0a1e42f146ef2bd249c834fcbc41aee4b"
	"66ee2fc96fb30ac084cba1ed626f9397ecb4c011fd4d8ba1c9b2bd9382ff32479b280910"
	"41e64fbc13701ec0569e618ae381647b8eea966d744c53c926e623bf7b365a4c69a1faad"
	"005d2ab4692fa198c1e8133078330b07396345df8ca5ca602b1e91ecb30f8ece9d7c4a32"
	"47ffbee1f3193e66799ca87d2f636898a9c982723f43b723923f3ee06ec3a53abfe4288f"
	"0a7efaf046ec583af7d5e39f95bb20daae4ad1c02a05bbee496aeb70a116593f696dc85c"
	"b21f82178b3cf9e520e852689afebd2010590d10074d85a7dd51a571cc67b44a16ec7a71"
	"31f21b4a732dd4fe9b7cd7872bd00302ed4b6936652a48e398afa06e3c9eb3b975086b74"
	"498c04e6e0c4d227998ce9fe353da7f7a4c98e5eb7e37846b19186328b291155f3e83271"
	"ebc8ec72c9001912dfb6e9c02b859cadb9b4315c9951b7faf075dc92b0074a5e5937f81b"
	"c178c7c02ffa916fda88c36141d63c3616e825070ac1331b380795c0a175286ccb18a348"
	"a80f1c448061d53d562c2a9e8b793c81dfc2edbc4a3605f361e246c3fb1c1802825ab71e"
	"d01f0617c5ce460bb5855bfa33077fb2e068fe81bd83d52ad093fed868f81101e4658cc8"
	"6de0b4d1191dd152c9cde739a7cb0e97b935a09d89c509c3a96aba73c120ad5ad2bfcc74"
	"f02e3a84297f8b374e2bb1afc0611069490e3a42f402b8844441e8782149445b4ff3902a"
	"c22749721f2d6cafbbba040f3746d492586228d7e74370a1ef68ba7f42bc0f1f30dceb9b"
	"e8a064ed6b2612d1412228d10e0c1be6b563b6222e27217eea17a0cb6596eb17f789643b"
	"34c3235b131edb7d63e58b4c8033c14d56c501168acf1667abf61903"
;

/* frame 2: the server's Retry */
static const char q29_retry[] =
	"f0ff00001d1143944eda18beb7e548b38d375bf3c2a3bc122e9a32ed45c9066ad4f9ac32"
	"c1d23c19e480b6907375db299ac3b8c0116101cfa539946cdc0bd6f7aac1308a926fc779"
	"a44d62ce556742f27f3249c7fadc73d661f144e6516d421ecdb186e7df7fb5f0dc0280c4"
	"9edf4ce0ef885332c4"
;

/* frame 3: the client's Initial after the Retry, DCID 2e9a32ed.. */
static const char q29_initial2[] =
	"ceff00001d122e9a32ed45c9066ad4f9ac32c1d23c19e4801143944eda18beb7e548b38d"
	"375bf3c2a3bc3bb6907375db299ac3b8c0116101cfa539946cdc0bd6f7aac1308a926fc7"
	"79a44d62ce556742f27f3249c7fadc73d661f144e6516d421ecdb186e7df447c0ade7bde"
	"ec6b37b5979c509af3a83172264f5581ab8321bd19fabbc96e9a253642baa3b2e06ac02a"
	"9814406d970c3d756f51f2ac2e24ac0f84882dc583f97bee5abdc187ab66f907e4cdaf9b"
	"ea264fb9b9b70d5c12bb2b3f5dda7dd20dc9dd79353f47d5af8fc3056ed71860e4a31857"
	"4ff24af65e143d1215ca2e52fecfc708ff840f0ca5939345e1a7e341a192147be91b3d6b"
	"7d68126d65bdfac30a62b786d0d2460434e23a4ceb9a836e3f066c2dc0a52ab4fc0c7933"
	"f8e811f64e0794698205bc63852e44a8700f4cdd29f6d34865647e0bfa9488438dcd6587"
	"6a3168ad86f2427d835222bac81a3e39062fab16b7a19a4613589fbbafacb74a2db216a2"
	"8bb8586adf1090aae778bcb5e6674b730ecf67dc524d802bb3d86be3ebe3d5ca8a52dc6a"
	"44f4e22c5e1d0af4488445f8c2c8951d342cd47e5594fc0ac49ab9efd2f2792faa163e0a"
	"766bd9045899170f8e4b2dcd9dc0348ef1e9bc335acc2670f3fb58c9baafb72a29f04554"
	"890947c8983c60d43e6963bcca9393c2f34819829368fc5764cbcddf9c8b5ebbed7f885a"
	"55dcc7d06d7e902d6e5021963f605636343f4d51bc82b1bb46c1c66e7667f117d7854e2a"
	"7527058e1277d53c20007d25627e3ebbd96724022ce6c4fd593524add65c4bfb0cdcb787"
	"23a30a5a9c9c3fc0f6f239712d4731fdd320085dbb261dc1b026dcb6535d2fc8585b7f19"
	"af6538f7291ded66695ec1800359f3b0d7ee2307e4404e15c861e72e35eb5f1471ac3e8d"
	"ed00de2fb78ade45236720b95b9df8418158ae1d075ae65f8ae930b779de16b734be0c8c"
	"31d50a4e669af7abf53f938955a6a427b2a8e7421cfdc72f58c74ff37f8d3dcb3eec7457"
	"2b8c86d724733309261747bfe7b0e16f866c6019c8dc90069da27001b3cb9fb9c10ad5f5"
	"d49562b3be802c0fc4155ca8c82323d5156c0074ff0dc716297b5daae41d9b920d89f36e"
	"380e7ae12545300d1c7287cace2700649882ee47d793a417765d0c2eb21ae6406805cd09"
	"cb973f851aa2d63c4f15227822745035cf65fe5d9738f5d45dcec635fe34627085f607b4"
	"dac791570e50800c73cedca6f2c43f198b947745201b076e9035a2c2a8ae246b67d0c7f4"
	"852a680f15e8d06c57cb944e682abe623f7eace8717d67fecb68f57ac42907e95ba160ea"
	"44d18fa61dc7f5096e493ecbba2d2ffa7da8115f38f9fb1a491a0844d95e3ffaa4baf0a9"
	"5ec22b146b64ecd741d59f19766dfe43ca01d3cdb806c9db22a052e8f55231ae6e43b203"
	"4f5f518a2db4d4ff478db20575677a7f89e4a1aed02c1cde4190a5e66938366c163e529e"
	"551272f15a2555eb3627be79a32b797f8075f196d8ec0d774590dfc540e683dbef3d15d2"
	"e601adae3ec4101b04e5bfa336206c6063df09a8c72efbd7b9927359382ce46205d9f64c"
	"956de92a890076193f26dc874bdfaf7d95e57717270b105cc21ffe5f926fa74398ebaeae"
	"3761e2c7456c1ecc317eda3e084de5d5f44e98abf9850bfa0eba69a2311753f072c27d47"
	"cb13c1331e06e0b2007929745f343d2e923fb27260bf7a050db3103175ba74a20beada10"
	"2e644f99e5b63284e1b7882fc0a5e3f114503f8ba614777f31900c55"
;

/* nDPI quic-v2.pcapng frame 1: client Initial, QUIC v2 */
static const char qv2_initial[] =
	"d66b3343cf080726272642fc2eb20811fffdea452422b832a196c2fa15ec4a99b399b911"
	"6eb2c5ef233065423a33ac16db1be7c47541e1dbc9337bc0326b173b40bfcb11d25b647d"
	"0e8141c89fd5d4fe0ae06a3a4962392c9e91c2e1b3920ae3f12a7128aed5573623691908"
	"c9962a936cabe187e5acf4e4047e6fe88834c87e48cab6336dcf659934dffc133e0b4672"
	"e74e81a0d801d41fd6abdb6e04c27d9c831771e2c8fe0e025fe22818a653f609bbf7f500"
	"392b83579bdb2ef50507795f7bf7a63c939e9c6b8292d9fafbfd0daff19350ccb31c4739"
	"81ddcff35e2d44465427a3ce8f5f91da78c35e9479bf6d372b5ac20129844c7705254104"
	"0d4f2f1567dddd86ebe0b18efcde66d1098ee7a330ec771df5edc99baaa853ef72b0a49b"
	"685d976f83600e5bbed12fb1c123e189b90a7585bf3e3bc42ef017d060cb4638a4e693cc"
	"9e04916be5ea6bf5f0b46aaa166619dc465a0ddb25b89226216b70dc49014284ee512ca3"
	"ba354cdd26fdc3a36e5e41693069e7fa89fb45d8c687802c8362440d78ab2c727e7827af"
	"5663be939dd4888ace2214195d0e8861f7dfbcc0c3c886c03ee2424d960192010158c016"
	"737b5a6edaf09f13f65d830e476c41a07c7e6badfc1ff2e2a70b0f1ad551ef429e0ef6b0"
	"d85b0834c08ffdef70af1745ad61b83381339680ae39b9c92e5cdb8475f5efd7b76b3f78"
	"77126431960b60a5a61b3a12ee1e5f1eea7958b16d0c48599bf4f6bee36b3343cf080726"
	"272642fc2eb20811fffdea452422b842a36e46d441f8c3f756c608d417943fb77a8fdc13"
	"b99403e5bb94d6a809d67cdfbffe00d687862536d8dcbb9a0d94a3aa080c8fe40379d52d"
	"3f982a521af9900d8034fb0ae504b28073dc59a189c126ab9fe636588d1034f9dc00ebb0"
	"1e8729d663404e00f0e38e902af72e2b92387dcab96bea2b445b8f3f6c2bafb3fc01aa15"
	"2bf874c8d4b3b46bfbf5b6167a139ca4cda71a917762b3013a7b6e7bcb9fe6fc13b32136"
	"36dd97389174e56d63302a1fde2f20938e20c7bc6bdfe8890528b53c72f1f346d5a8d964"
	"a46f2f49ea554eb3754a8788caeed7fc6e49acd25302f3f8e53b1173264a443e665bc09d"
	"3a73f183ed3deb90974a6c993cd0aa6fae24e23fef2e493416d858f981dda4632e306b75"
	"44ec9fb65c144baeb456c895baf6e310f611537be8e07e4ebddec383c455fe882539b08f"
	"a0073a7e66cc5ee81f836dfec3ef43d77dc30b260ebe17f1c13eb609897cba3648ebe0a7"
	"dae509fddfddf290e69d7a25ac5db1920dd5806c6165fe4905fccdd96355636883c977d6"
	"8d987672c1d96c6efae19bfa7494f89b66d61e0980847448463834485b07515833ed34ae"
	"181adfb4ec769836a626d4efa240c6f1f010a1f142c9f948edde0a0840b66c9e248698f4"
	"56397ed4dc6c3e3ec5bac71812ad41e36531e8ba62faf269cbbce55ae5e3201d443f3504"
	"ea9727787ad20ff0b8e73eda0d7c522fd467beec602f7a536da1c248262305d26efe21f1"
	"7ddb9b5409fe19145aa3df1629d5a381c83035284fc949410a7c1d66e727cd2e96b0c266"
	"4754dfa7c7c465be6555e462bf83b9404a4f266b0df00373f8de23b90c28c92a9c33e7a6"
	"5aa6258cb1d5b26ec1f74c05430d67c0122e19c0f5b066e16727145c0047e77b8113d41e"
	"73456795f5c6db66d4caaab7d25c18a72a163d75b9ec4569146cb20de5ac44b365b03452"
	"be4c05734b28603c"
;

/* nDPI quic_frags_ch_in_multiple_packets.pcapng frames 1 and 2: one ClientHello in two Initials */
static const char qfrag_1[] =
	"c30000000108e0ea07d1045fdfdf085bb4b299cb9dcac40044b6b9cce1dff4908dedd93e"
	"453b7453113bc0dc71a19ab6f09d099af923d83e7f22618b8774a6905bc4a8bd7d3e5787"
	"673ec7983bee154d266575e89f813f15350401d38b5addc13264c0e9291b5e816e1d7a49"
	"28e473d46c48a274d99240eb8fde91fff12a0bf71eed4c143383638bdd4a42aa30275f5e"
	"a9140750f95fd16ea2757b2cd615d6f00507761ee0b1fc88f5e75051448d979ffcfe0030"
	"78ad51785833aeb739b5d0ef2c876b2c2c57b663230a11e4858643b65b131c01ab4d0369"
	"50e2a257237d8ada4ca01b8582ed0f016f485314c1bf9b2c049fbcb8d79d4e493e276540"
	"cabc39587155a3b85faa4d5b296bf887edcd94bb23e1a5362f2231f441e654c59cd98524"
	"c57a3d8b5b01653f6605ce91b08894b005a88b318fb9ffbd038a80259aac950bb48534b0"
	"26e3eedf51cfc226c7f47fc1436cf1a3304178af87f9fb42d5647f78532e16774b6c4ac0"
	"0e988c63c703188602d5566ad5b7b4c1471668b4bb0c3001392a06380b7ec9ec0282bef8"
	"74e2f5c98f5cf7510558189878f19f63d831fad9af3f0d05d2ef871479ab20a1723ffdf7"
	"2acaa1bff9d127904cb2425f5fe74562c13cd4cea841c2bd351d96a907c74104875274e2"
	"dc53fc6eef7db9078804e8c6eb66beb0e8363b0a1ace81cd955b0a317a1b19a38d6b5816"
	"6c390348c8fccbbfd2740518a9fb0ec626663173edee6deea0c5d6b3f56f929f8dc2b1b4"
	"4842b85b0a01c66972df2c6df761c694e17fba961669643211ae97c796278d9341381c77"
	"ef996ea74d79307291ca51cfcb5ade7e5a8b875afc4c9f8c7e95d403bd7d7ed79f3b095d"
	"d7330c0164cd916b36ad1211d6d51277393fb10b78227bab669a731076e5ec78599cf95d"
	"89693e7faba31153f4e5c18d11abb12d27cf996f3197a88baee23c42c7da0c9a2ebacfae"
	"6e5f0dea20d34e794c475c9c9ca405b0e437b8573695478970ca0cca1aa967c782f7254b"
	"de223fa839bca1ec5e7a36a4dee42e14570d2b5ce2b9bea0ca69fad2383be489e2134e0c"
	"74dc1da950d296f512eed4f86d6d7519b98d2088f9e03df2a08cc116c1b81a87922fc939"
	"ef79a2fab04a9ff637ebde416bb32f86356fceca8ae40e746923c4687f31b0d6d2f18839"
	"4f821d67f6b1f2475a5175bcbd0677ffac31c47936b1a2d3f45a10298201c21daff21491"
	"02cd5aacf5a4bb8b6c960dc25f4b8d001729d43f55062a125efee5315e287ba97b61790e"
	"c55f122402156fddc3e809103bd427ecd84fc47b2d5f54a456e653095bd3eb88973b1a85"
	"adcb1ef4a4e759b0af075e24043e260a25a4a2a0dd1caf6f010eba4c51fba72515a7f0f8"
	"8b9975264edb883086e11721b2f8443ac619c3f80ff484b24d58d1cc5cbbbf91f501a2ea"
	"402504c271fb0286881a7aa803e9ee5e49808de4f4fdf97a46377f867f83f125f0ec4e3b"
	"11632f6925cb5f68f0b786a8723a340a7c2c76adba6f802f4f311541c898ed2c9c469e42"
	"5402e1b797a5056a4515be8b19fb933ade551cb37f7eaf7aae883039caeecd009f00fe2f"
	"3b941c641becb599dc835ec6810c27dc2b76713ffb2865c638afed1009a48a6312b74e77"
	"224dbb954f67a68097baa04d7b24568c28bffea0da80de5cbe4a7cb9dcb1eddc39c65737"
	"d64069d22694f6c35c468a2972f654df0322ec77e7ef981b6e1f6d25a7c3ebb3b6605542"
	"0631dfe9592455fe"
;

/* (second part) */
static const char qfrag_2[] =
	"c80000000108e0ea07d1045fdfdf085bb4b299cb9dcac40044b6743ffa9c06bb24575ed0"
	"8f4b89eaed25fa82b0f12dfb9efc45a30439c5b1a1c2fef0b23c9ba9627f7907de2e21cd"
	"f945001727376c69b2f6a4c5d3e5283f245ba7e87014c3bb0d96f7adab9a5d1b9a0a137b"
	"caffd483cc95d3ce07af120f5708b2b9def98a28d900a7ca483cbe6e3fce76c82c560ee7"
	"df4d20e1de3be6a1ccaea8fc91ef02b2d9a9964264532dc8e1618d66b4dfc027b420ba09"
	"2644f9153bf4a83876fcbdfc154e5379401237d4f827d15fbeeeb43f8631e3ae00ea1f9f"
	"42ed4bd4e0dbbff6aa03c674ce981a0770af782cfa08d7fcb8fa17b167c7b5781c1a85c4"
	"60631acfedd5935ab47e2703c3f62529505bf1a3c4888268155a2fda6cce8c3702a66130"
	"8d2d7a3ad31e07b5a37f04224fec8d525ff2d285fd1cc9ed4e7f58a6b81292adeb92f214"
	"79feda58692cee3e577cdb27529afb33010d06af2a8e27f654fa3af14774edfc0691c395"
	"c1ecb010e62822db8ae4d151daf278940836c7a94012b1926f7a39030db63a3263ea95f6"
	"1a2029a290a58c2f850c16e93bb1f0f26348bfa7cbcbbafb9a770c1dbe735f8b099e8922"
	"73aefb67e2328951d73325ea90a04008364a0ec356d50590c9551f84501aa19bb69b6946"
	"6738f534925b029adce9b5186f19d8c6202c1edf189a82a1042a0150c01fffbde6f3d760"
	"c4099101414ba485bb021311e997c1ee7805ef29203203ad836539cf8c16c50d1a065279"
	"ac375c3aaeffc490a993f7c28e9d6fe46b6dd3f07a50c865b4dd00bea897732b682081c2"
	"9f3b0b33ea177dcf728f8c3d3a5004841ea7dc674bb761be7f30bba6a58f0ba30e1802ec"
	"f88f5acfb11fb2fc442459e1da60b17ff34c09a7dc9beffda9fab6ec65aec3fcfcfdc1d6"
	"188f4727ad7621ae0f47607b8f67dc0a0df192e6f6088a165844631b10c6c670580b74e0"
	"0d95b4eba9ea7ba9e61a22ee5bb38dabb6ff7119800be3dcb3c53909263ee86e99345838"
	"378663a8d06d062ae30de43dc32ec77a0807a4b6d81cfd1c9018658f7f539d06b18e67cf"
	"3ab1595261f548e773bcc0ba75630098d50985cdd3e949ebed8b32765d8bc527e630df38"
	"abd6ac01c43e1b867b680e0f9a106c2a23288dc97807088d7724e429257b616e94408faf"
	"1693836e5417519a6b3ab49b1117af4930bfd8f81fc1507de856648234b89c4961e38af3"
	"704831bf77b41ea404b5c0d606c0d993cd643f3c28f98fd09dc3aea69ba4436566abc439"
	"bfa1293d344305ad8ef128aec87ae6efacf59de960c3749f41a2fa7937384788abb05524"
	"b1fddd1ed40e9b535162e5d7d411cad8e26095acb42daebccbfd4aae85949d9f5a7288ec"
	"b4308d18fdb9db0782ba274e2b5d9ea712da75114fcd9124b2cfef901aec1af2ffbe9816"
	"60c9145d1d7932ff2392ad31b16e63629103ff05739a3b79e5af1794ed2aae3a1a3aa1f3"
	"069000fd9bd9e70f4e090695c36ecca69c1b869135200293d1a7e347360f9a021c17d105"
	"efdb59d3d463891a4819fe43a4dbdada6b951eaf3c473f8dff64d9f0a9c5464b67a4d311"
	"5d6b0ca88bba72be3d0655ae029e04e652e2472c74a05d76058285cb2333f2e7131d1189"
	"19165c4a453e0feafbc699f1c194bed9665f345a61c09ef54b0388a73fd37a350ea0a44b"
	"9a7d03078810bc459eebee9ffb360496f3f37e7548420fb069d2e39098151b624b727668"
	"b614586f1117db25"
;

/* suricata-verify ja4-tls-quic frame 47: client Initial, v1 */
static const char qja4_initial[] =
	"cc0000000108203f9e9f68698274000044bcac2dd21b61be648c61e61f706960000acb8f"
	"a8ffcf12b6a46d3ddab814b5b467d44bea96d8a176a93f8f7213db549cae23ebc9b1d166"
	"6305235e144c4656c0d0ac8e5d15bae8a159f5dfc7adaca6515bfc5eee22d269a87a8eab"
	"df2cb1d399516147fd3dae97af513c71863f7a8812a143d4aad447a1955286052e2cc859"
	"08e032acaca1421da2d79563540440527816950fa694d93c087c4bc3af1c8908f6f0eed5"
	"ffe0dccc9c905f3472f470347b8be83bc9a1504394ab489427298708d5efb8fa2941220c"
	"c47b5e74db18dadbdb6063ea35db1e294d0542a2f18e100d8fc275e58e53fd84fd1c3bb4"
	"2309255c0c2e96f4f142cff22552f4bc746aa4bf920d6877c6b6bf36c05530a840848611"
	"108ff0e06a9b01bde5994ac2fe7ca921818c301c823d69ec6ff8a928814323c35e8d0775"
	"f43e2f8561cc755e45bd25cce43d4f298fc645b2444b15d788d80299d0d6b7cfe49125b3"
	"07b18c76efded37c0c52760e3267fac296815432ba79b6ae49daf18bcb57e604b5b3c714"
	"dcac18b26e81157748abfa45d2f778ad3b6158eb51ae03958f625c1ec48fa7be5047befa"
	"af2d623b729e44d1bedf8b19c3d8920e0dc513686ef0b95ffb3e8b3b0d2f04462090a8d9"
	"8951fa8ef85c5f5d416231d8b878a537cacff1fb98072c2988392d4ec3d4851c7554abdd"
	"bec431d9d0a9aa0cd5cc5d10826759b3ee45ba0f06bb5a3ebfac70906243b1dbdebc56fc"
	"9ceb502ff0e85898fc232923f26670300304782fd623332e0916b049727705fd1975f385"
	"02c6f5fa9c1492ddc168df6388e69d9a66fac988ed39595278da588da798149c070bf529"
	"c26a788fb467848f05134daa8757ac86c1f4208302aac7667c3399584f63a958387a3952"
	"e0377cfde68c3ba99efe6e027d3e8c90500c3c692474fa671553bfbccc58203f73ef9d06"
	"4534ec91b6fe15950cf979c595b4552e9392d7694561af21106ab7d93b714728e861adf8"
	"7aa48e2e06982a7a95e5a2254e654f3f141acd36ba4ebc956e20c82e94748bb9fa7d3c4e"
	"a49483a3cf6b3ca763d9dac7befd28955eebc3baea10b458c1c2c9ed9596559c4f033fa2"
	"67d0cc537d02a5d153b444dd9bdc80c27d7c490c03e252247965320bc6a30660941ee57d"
	"6fed03247b51a2d501617944f76223c3641bfa6e381c58ea8cd0e2a201206918232040d1"
	"d790f3faa063d6addad7472f879090e5f1785accbde6566d8079009431b0e4bb0d1afdd8"
	"3105a001656c933e337415a1673ff0d0ea3ba7a6958ea2a9efd82072091906936bb2d685"
	"4a06def4811422d1b1c0d2b0f9bf804438918cc8a598bde34d8019aa8710be2463053e74"
	"41f585f6c8062a26d0b289bc26f3bc5f27191b184a141a66c5431b31816718105b9cd438"
	"120fa3cf60233f50f7df93e8365c3b6212f0edc4e014e5140000426d595b5ac31fd97729"
	"9de4027414aa7b0f279f3efb4d4a0a0d4161acb8386a0436cae67cfd67fa5ac2c47ae73a"
	"5a2c9588adc20e44fce04e1ef360b01b45d6ca1317bc8a22caabdabcf0f0961781f2f78d"
	"005cd4275ab16299bc56726d810747ed73f42224879c1054c723029c437a29b7fcfa0bcd"
	"7a5a0510216a447996a3d1764a1243e4338720ae85c9e38c7d007f1879b1cf1d60ba735b"
	"d39ba3b7c8a31afab77e0299535a0fb9e962c94325fa6b40cc7a1118b3b471326be93a60"
	"063a7b4c34b1"
;

/* suricata-verify quic-cyu frame 1: gQUIC Q046 CHLO */
static const char qcyu_chlo[] =
	"c351303436500e6ea001b5297f480000000141d891bc91aed252340bd773a00104004348"
	"4c4f1900000050414400fe010000534e49001102000053544b0047020000564552004b02"
	"0000434353005b0200004e4f4e437b020000414541447f02000055414944a00200005343"
	"4944b002000054434944b402000050444d44b8020000534d484cbc0200004943534cc002"
	"00004e4f4e50e002000050554253000300004d4944530403000053434c53080300004b45"
	"58530c030000584c4354140300004353435414030000434f505414030000434352542403"
	"00004952545428030000434643572c03000053464357300300002d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d6163636f"
	"756e74732e676f6f676c652e636f6d05f8108b458a36f7d6b6c40267613b869f38ca8642"
	"8e28145192c77f86fa8afa61b8678fab95caad3dab13b163967ed50afcfabd4c42513034"
	"3601e8816092921ae87eed8086a21582915f4fc11f3030303030303030707dd73dda9277"
	"9e49aa290ad8052ed768c3bf33414553474368726f6d652f37392e302e333934352e3131"
	"37204c696e7578207838365f3634aa5122ee5b4d5aae30fc4f303fd1439f000000005835"
	"3039010000001e000000e32a17ba81cf36f1955c69bb7d6b916b56b3f8be9d8d0031071f"
	"8f98f832072de4034581095a1336bd125d7a092b6427764ff2cbcf110ff4fe35b3b49baf"
	"6d6564000000010000004332353516ca1a76bf7d066516ca1a76bf7d06656032cb92a041"
	"4ddfd85500000000f0000000600000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000"
;

/* nDPI quic_q46.pcap frame 1: gQUIC Q046 CHLO */
static const char q46_chlo[] =
	"c35130343650eacfe6e706df272d0000000460da58929f6839d0860efc58a40104000400"
	"43484c4f1a00000050414400b6010000534e4900c501000053544b00fd010000534e4f00"
	"31020000564552003502000043435300450200004e4f4e43650200004145414469020000"
	"554149449402000053434944a402000054434944a802000050444d44ac020000534d484c"
	"b00200004943534cb40200004e4f4e50d402000050554253f40200004d494453f8020000"
	"53434c53fc0200004b45585300030000584c4354080300004353435408030000434f5054"
	"0c030000434352541c030000495254542003000043464357240300005346435728030000"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d"
	"2d2d2d2d2d2d706c61792e676f6f676c652e636f6d4c5e5068944a6933684a92766f2570"
	"fe7da347f4978830146b14570b20e5687d77a18191be698b87951f9f057eaa43fcac12ea"
	"97a3f47158690860d7272a2eeea760f9d9c1c96240913498f82521f327d8398311748158"
	"21e3ba64a1101b3be1396c6c19d9246d09348e835d5130343601e8816092921ae87eed80"
	"86a21582915cf619d1303030303030303020d56a5d1448a1930b3a731a0987572712e76f"
	"e4414553474368726f6d652f37342e302e333732392e31353720416e64726f696420382e"
	"302e303b20424e442d4c3231a99d8b89310f3e52396ceb51976b16c30000000058353039"
	"010000001e0000003ee7e131018f4a678dd6022e606e840669dfd7658f4d82c0b2bc0be5"
	"7a7db88a6619ba2c6ec79409e3e783ea192948625f0e7f7e5c117227ad6b146d2dd8c92b"
	"64000000010000004332353533f8a7f05a47764a4e53545033f8a7f05a47764a67f8adc5"
	"8015e3ff7bb800000000f000000060000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000"
;

/* ---- helpers ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

/* Decodes hex into a new buffer; *n gets its length. */
static uint8_t *unhex(const char *h, size_t *n)
{
	size_t len = strlen(h) / 2;
	uint8_t *out = xmalloc(len);

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

static void unhex_to(const char *h, uint8_t *out, size_t n)
{
	size_t len;
	uint8_t *p = unhex(h, &len);

	if (len != n) {
		fprintf(stderr, "vector length %zu, want %zu\n", len, n);
		exit(2);
	}
	memcpy(out, p, n);
	free(p);
}

static void feed_hex(struct quic_state *q, int dir, const char *h)
{
	size_t n;
	uint8_t *p = unhex(h, &n);

	quic_feed(q, dir, p, n);
	free(p);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The EVE object {"quic":{...}} as a string (caller frees). */
static char *eve(const struct quic_state *q)
{
	struct jw w;
	char *out;

	jw_init(&w, 1 << 20);
	jw_obj_open(&w, NULL);
	quic_write_eve(&w, q);
	jw_obj_close(&w);
	CHECK(!w.overflow);
	out = xmalloc(w.len + 1);
	memcpy(out, w.buf, w.len);
	out[w.len] = '\0';
	jw_finish(&w);
	return out;
}

static void sha12(const char *s, char out[13])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	out[0] = '\0';
	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) != 1)
		return;
	for (unsigned i = 0; i < 6; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- RFC 9001 appendix A ---- */

/* A.1: the client's Initial keys for DCID 0x8394c8f03e515708. */
static const char rfc_dcid[] = "8394c8f03e515708";
static const char rfc_key[] = "1f369613dd76d5467730efcbe3b1a22d";
static const char rfc_iv[] = "fa044b2f42a3fd3b46fb255c";
static const char rfc_hp[] = "9f50449e04a0e810283a1e9933adedd2";

/* A.2: the CRYPTO frame of the client Initial (a ClientHello for
 * example.com, ALPN "alpn"), padded with zeros to 1162 bytes, packet
 * number 2; and bytes of the protected packet the RFC prints. */
static const char rfc_crypto[] =
	"060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100"
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
	"75300901100f088394c8f03e51570806048000ffff";
#define RFC_PAYLOAD_LEN 1162
static const char rfc_protected_head[] =
	"c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11";
static const char rfc_protected_tail[] =
	"7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
	"e221af44860018ab0856972e194cd934";

#define HDR_LEN 22 /* c3, version, DCID (8), SCID 0, token 0, length 2, pn 4 */

/* Builds a protected v1 client Initial with the RFC's DCID and keys
 * around plen bytes of frames, as RFC 9001 section 5 does; out must hold
 * HDR_LEN + plen + 16 bytes. Returns the packet's size. */
static size_t protect(uint8_t *out, uint32_t pn, const uint8_t *payload,
		      size_t plen)
{
	uint8_t key[16], iv[12], hp[16], mask[16];
	size_t len = plen + 4 + 16;
	EVP_CIPHER_CTX *c;
	int outl = 0;

	if (len > 16383) {
		fprintf(stderr, "payload too long for the test\n");
		exit(2);
	}
	unhex_to(rfc_key, key, 16);
	unhex_to(rfc_iv, iv, 12);
	unhex_to(rfc_hp, hp, 16);
	out[0] = 0xc3;
	out[1] = out[2] = out[3] = 0;
	out[4] = 1;
	out[5] = 8;
	unhex_to(rfc_dcid, out + 6, 8);
	out[14] = 0; /* SCID */
	out[15] = 0; /* token */
	out[16] = (uint8_t)(0x40 | len >> 8);
	out[17] = (uint8_t)len;
	for (int i = 0; i < 4; i++) {
		out[18 + i] = (uint8_t)(pn >> (24 - 8 * i));
		iv[8 + i] ^= out[18 + i];
	}
	c = EVP_CIPHER_CTX_new();
	if (!c || EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &outl, out, HDR_LEN) != 1 ||
	    EVP_EncryptUpdate(c, out + HDR_LEN, &outl, payload, (int)plen) != 1 ||
	    EVP_EncryptFinal_ex(c, out + HDR_LEN + outl, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16,
				out + HDR_LEN + plen) != 1 ||
	    EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, hp, NULL) != 1 ||
	    EVP_EncryptUpdate(c, mask, &outl, out + HDR_LEN, 16) != 1) {
		fprintf(stderr, "openssl failed in the test\n");
		exit(2);
	}
	EVP_CIPHER_CTX_free(c);
	out[0] ^= mask[0] & 0x0f;
	for (int i = 0; i < 4; i++)
		out[18 + i] ^= mask[1 + i];
	return HDR_LEN + plen + 16;
}

/* Protects and feeds one client Initial holding the given frames. */
static void feed_frames(struct quic_state *q, uint32_t pn, const uint8_t *f,
			size_t n)
{
	uint8_t *pkt = xmalloc(HDR_LEN + n + 16);
	size_t len = protect(pkt, pn, f, n);

	quic_feed(q, 0, pkt, len);
	free(pkt);
}

/* The RFC's ClientHello handshake message (without the CRYPTO header). */
static uint8_t *rfc_hello(size_t *n)
{
	size_t len;
	uint8_t *f = unhex(rfc_crypto, &len);

	*n = len - 4;
	memmove(f, f + 4, len - 4);
	return f;
}

/* A CRYPTO frame for data[off..off+len) into b; returns its size. */
static size_t crypto_frame(uint8_t *b, uint64_t off, const uint8_t *data,
			   size_t len)
{
	size_t n = 0;

	b[n++] = 0x06;
	b[n++] = 0xc0 | (uint8_t)(off >> 56);
	for (int i = 6; i >= 0; i--)
		b[n++] = (uint8_t)(off >> (8 * i));
	b[n++] = 0x40 | (uint8_t)(len >> 8);
	b[n++] = (uint8_t)len;
	memcpy(b + n, data, len);
	return n + len;
}

static void test_rfc9001(void)
{
	uint8_t payload[RFC_PAYLOAD_LEN], pkt[HDR_LEN + RFC_PAYLOAD_LEN + 16];
	uint8_t head[32], tail[48];
	size_t clen, n;
	uint8_t *crypto = unhex(rfc_crypto, &clen);
	struct quic_state *q = quic_state_create();
	char b[13], c[13], ja4[64], *j;

	memset(payload, 0, sizeof(payload));
	memcpy(payload, crypto, clen);
	free(crypto);
	n = protect(pkt, 2, payload, sizeof(payload));
	CHECK(n == 1200);
	unhex_to(rfc_protected_head, head, sizeof(head));
	unhex_to(rfc_protected_tail, tail, sizeof(tail));
	CHECK(memcmp(pkt, head, sizeof(head)) == 0);
	CHECK(memcmp(pkt + n - sizeof(tail), tail, sizeof(tail)) == 0);

	quic_feed(q, 0, pkt, n);
	CHECK(quic_seen(q));
	CHECK(quic_done(q));
	CHECK(quic_hello_seen(q));
	CHECK(quic_version(q) == 1);
	CHECK_STR(quic_sni(q), "example.com");
	CHECK_STR(quic_alpn(q), "alpn");
	CHECK(quic_get_counters(q)->decrypt_fail == 0);
	j = eve(q);
	CHECK_CONTAINS(j, "{\"quic\":{\"version\":\"1\",\"sni\":\"example.com\","
			  "\"ja3\":{\"hash\":");
	CHECK_CONTAINS(j, "\"string\":\"771,4865-4866,"
			  "0-65281-10-16-5-51-43-13-45-28-57,29-23-24,\"}");
	/* JA4 by hand: 2 ciphers, 11 extensions, ALPN "alpn" */
	sha12("1301,1302", b);
	sha12("0005,000a,000d,001c,002b,002d,0033,0039,ff01_"
	      "0403,0503,0603,0203,0804,0805,0806", c);
	snprintf(ja4, sizeof(ja4), "q13d0211an_%s_%s", b, c);
	CHECK_STR(quic_ja4(q), ja4);
	CHECK_CONTAINS(j, "{\"name\":\"alpn\",\"type\":16,\"values\":[\"alpn\"]}");
	CHECK_CONTAINS(j, "{\"name\":\"server_name\",\"type\":0,"
			  "\"values\":[\"example.com\"]}");
	free(j);
	quic_state_destroy(q);

	/* one bit changed anywhere after the header: no authentication */
	for (size_t at = HDR_LEN; at < n; at += 97) {
		q = quic_state_create();
		pkt[at] ^= 0x10;
		quic_feed(q, 0, pkt, n);
		pkt[at] ^= 0x10;
		CHECK(!quic_hello_seen(q));
		CHECK(quic_get_counters(q)->decrypt_fail == 1);
		quic_state_destroy(q);
	}
}

/* ---- real packets ---- */

struct real {
	const char *name;
	const char *const *pkts;  /* client to server, in order */
	const char *version, *sni, *alpn;
};

static void test_real(void)
{
	static const char *const p29[] = { q29_initial, NULL };
	static const char *const pv2[] = { qv2_initial, NULL };
	static const char *const pfrag[] = { qfrag_1, qfrag_2, NULL };
	static const char *const pja4[] = { qja4_initial, NULL };
	static const char *const pcyu[] = { qcyu_chlo, NULL };
	static const char *const p46[] = { q46_chlo, NULL };
	/* expected values: tshark 4.0.17's quic.version/gquic.version,
	 * tls.handshake.extensions_server_name / gquic.tag.sni, first
	 * tls.handshake.extensions_alpn_str of the same frames */
	static const struct real reals[] = {
		{ "quic-29", p29, "h3-29", "localhost", "h3-29" },
		{ "quic-v2", pv2, "6b3343cf", "test", "h3" },
		{ "quic_frags", pfrag, "1", "", "h3-34" },
		{ "ja4-tls-quic", pja4, "1", "cloudflare-quic.com", "h3" },
		{ "quic-cyu", pcyu, "Q046", "accounts.google.com", "" },
		{ "quic_q46", p46, "Q046", "play.google.com", "" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(reals); i++) {
		const struct real *r = &reals[i];
		struct quic_state *q = quic_state_create();
		char v[16];

		for (size_t k = 0; r->pkts[k]; k++) {
			CHECK(!quic_done(q));
			feed_hex(q, 0, r->pkts[k]);
		}
		if (!quic_done(q) || !quic_hello_seen(q))
			fprintf(stderr, "test_proto_quic: %s\n", r->name);
		CHECK(quic_done(q));
		CHECK(quic_hello_seen(q));
		CHECK_STR(quic_version_name(quic_version(q), v, sizeof(v)),
			  r->version);
		CHECK_STR(quic_sni(q), r->sni);
		CHECK_STR(quic_alpn(q), r->alpn);
		CHECK(quic_get_counters(q)->decrypt_fail == 0);
		CHECK(quic_get_counters(q)->bad_frame == 0);
		quic_state_destroy(q);
	}
}

static void test_suricata_expectations(void)
{
	struct quic_state *q = quic_state_create();
	char *j;

	/* suricata-verify ja4-tls-quic: quic.ja4 */
	feed_hex(q, 0, qja4_initial);
	CHECK_STR(quic_ja4(q), "q13d0310h3_55b375c5d22e_cd85d2d88918");
	j = eve(q);
	CHECK_CONTAINS(j, "\"ja4\":\"q13d0310h3_55b375c5d22e_cd85d2d88918\"");
	free(j);
	quic_state_destroy(q);

	/* suricata-verify quic-cyu: quic.cyu[0] */
	q = quic_state_create();
	feed_hex(q, 0, qcyu_chlo);
	j = eve(q);
	CHECK_STR(j, "{\"quic\":{\"version\":\"Q046\","
		     "\"sni\":\"accounts.google.com\","
		     "\"ua\":\"Chrome/79.0.3945.117 Linux x86_64\","
		     "\"cyu\":[{\"hash\":\"a46560d4548108cf99308319b3b85346\","
		     "\"string\":\"46,PAD-SNI-STK-VER-CCS-NONC-AEAD-UAID-SCID-"
		     "TCID-PDMD-SMHL-ICSL-NONP-PUBS-MIDS-SCLS-KEXS-XLCT-CSCT-"
		     "COPT-CCRT-IRTT-CFCW-SFCW\"}]}}");
	CHECK_STR(quic_ua(q), "Chrome/79.0.3945.117 Linux x86_64");
	free(j);
	quic_state_destroy(q);
}

/* A Retry makes the client start over under another DCID. */
static void test_retry(void)
{
	size_t n;
	uint8_t *p = unhex(q29_initial, &n);
	struct quic_state *q;

	p[n - 30] ^= 1; /* the first Initial is lost to us */
	for (int seen_retry = 0; seen_retry < 2; seen_retry++) {
		q = quic_state_create();
		quic_feed(q, 0, p, n);
		CHECK(quic_get_counters(q)->decrypt_fail == 1);
		CHECK(!quic_done(q));
		if (seen_retry)
			feed_hex(q, 1, q29_retry);
		feed_hex(q, 0, q29_initial2);
		CHECK(quic_hello_seen(q));
		CHECK_STR(quic_sni(q), "localhost");
		CHECK(quic_get_counters(q)->decrypt_fail == 1);
		quic_state_destroy(q);
	}
	free(p);
}

/* CRYPTO frames out of order, overlapping, over several packets, with
 * ACK, PING and PADDING between them. */
static void test_crypto_reassembly(void)
{
	size_t hn;
	uint8_t *h = rfc_hello(&hn), f[2048];
	struct quic_state *q = quic_state_create();
	size_t n = 0;

	/* packet 0: bytes 150.. and a PING */
	n = crypto_frame(f, 150, h + 150, hn - 150);
	f[n++] = 0x01;
	feed_frames(q, 0, f, n);
	CHECK(!quic_done(q));
	/* packet 1: ACK with two ranges, bytes 40..160 (overlap), padding */
	n = 0;
	f[n++] = 0x02;
	f[n++] = 5;  /* largest */
	f[n++] = 0;  /* delay */
	f[n++] = 2;  /* range count */
	f[n++] = 1;  /* first range */
	f[n++] = 0;  f[n++] = 0; f[n++] = 0; f[n++] = 0;
	n += crypto_frame(f + n, 40, h + 40, 120);
	memset(f + n, 0, 30);
	n += 30;
	feed_frames(q, 1, f, n);
	CHECK(!quic_done(q));
	/* packet 2: bytes 0..50 (overlap) completes it */
	n = crypto_frame(f, 0, h, 50);
	feed_frames(q, 2, f, n);
	CHECK(quic_done(q));
	CHECK(quic_hello_seen(q));
	CHECK_STR(quic_sni(q), "example.com");
	CHECK(quic_get_counters(q)->bad_frame == 0);
	quic_state_destroy(q);

	/* a gap never filled: the parser gives up after a bounded number
	 * of packets */
	q = quic_state_create();
	for (uint32_t pn = 0; pn < 40 && !quic_done(q); pn++) {
		n = crypto_frame(f, 10, h + 10, hn - 10);
		feed_frames(q, pn, f, n);
	}
	CHECK(quic_done(q));
	CHECK(!quic_hello_seen(q));
	quic_state_destroy(q);
	free(h);
}

/* A ClientHello built here, with a host name longer than DPI keeps. */
static void test_long_sni(void)
{
	char name[254];
	uint8_t hs[600], f[700];
	size_t n = 0, ext_off, sni_len;
	struct quic_state *q = quic_state_create();

	for (size_t i = 0; i < 253; i++)
		name[i] = (i % 64 == 63) ? '.' : (char)('a' + i % 26);
	name[253] = '\0';
	sni_len = strlen(name);
	hs[n++] = 1;
	n += 3;
	hs[n++] = 3; hs[n++] = 3;
	memset(hs + n, 0x11, 32);
	n += 32;
	hs[n++] = 0;
	hs[n++] = 0; hs[n++] = 2; hs[n++] = 0x13; hs[n++] = 0x01;
	hs[n++] = 1; hs[n++] = 0;
	ext_off = n;
	n += 2;
	hs[n++] = 0; hs[n++] = 0;           /* server_name */
	hs[n++] = (uint8_t)((sni_len + 5) >> 8);
	hs[n++] = (uint8_t)(sni_len + 5);
	hs[n++] = (uint8_t)((sni_len + 3) >> 8);
	hs[n++] = (uint8_t)(sni_len + 3);
	hs[n++] = 0;
	hs[n++] = 0; hs[n++] = (uint8_t)sni_len;
	memcpy(hs + n, name, sni_len);
	n += sni_len;
	hs[n++] = 0; hs[n++] = 16;          /* ALPN h3 */
	hs[n++] = 0; hs[n++] = 5; hs[n++] = 0; hs[n++] = 3;
	hs[n++] = 2; hs[n++] = 'h'; hs[n++] = '3';
	hs[n++] = 0; hs[n++] = 43;          /* supported_versions 1.3 */
	hs[n++] = 0; hs[n++] = 3; hs[n++] = 2; hs[n++] = 3; hs[n++] = 4;
	hs[ext_off] = (uint8_t)((n - ext_off - 2) >> 8);
	hs[ext_off + 1] = (uint8_t)(n - ext_off - 2);
	hs[1] = 0;
	hs[2] = (uint8_t)((n - 4) >> 8);
	hs[3] = (uint8_t)(n - 4);
	feed_frames(q, 0, f, crypto_frame(f, 0, hs, n));
	CHECK(quic_hello_seen(q));
	CHECK(strlen(quic_sni(q)) == 253);
	CHECK_STR(quic_sni(q), name);
	CHECK_STR(quic_alpn(q), "h3");
	CHECK(strncmp(quic_ja4(q), "q13d0103h3_", 11) == 0);
	quic_state_destroy(q);
}

/* Malformed input built here: each is counted and none crashes. */
static void test_hostile(void)
{
	size_t hn;
	uint8_t *h = rfc_hello(&hn), f[2048], pkt[4096];
	struct quic_state *q;
	size_t n;
	char v[16];

	/* CRYPTO far beyond the buffer, and at the largest offset */
	q = quic_state_create();
	n = crypto_frame(f, QUIC_CRYPTO_MAX - 10, h, 100);
	n += crypto_frame(f + n, ((uint64_t)1 << 62) - 1, h, 100);
	feed_frames(q, 0, f, n);
	CHECK(quic_get_counters(q)->crypto_overflow == 2);
	CHECK(!quic_done(q));
	quic_state_destroy(q);

	/* a ClientHello longer than the buffer; not a ClientHello */
	for (int k = 0; k < 2; k++) {
		uint8_t m[8] = { 1, 0x01, 0x00, 0x00, 0, 0, 0, 0 };
		if (k)
			m[0] = 2, m[1] = 0;
		q = quic_state_create();
		feed_frames(q, 0, f, crypto_frame(f, 0, m, sizeof(m)));
		CHECK(quic_done(q));
		CHECK(quic_get_counters(q)->bad_hello == 1);
		quic_state_destroy(q);
	}

	/* frames an Initial may not carry, an ACK with 2^62 ranges, a CRYPTO
	 * length beyond the packet, a truncated varint */
	{
		static const uint8_t bad[][12] = {
			{ 0x08, 0x00, 0x01, 0x61 },
			{ 0x02, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 },
			{ 0x06, 0x00, 0x7f, 0xff, 0x01 },
			{ 0x06, 0xc0 },
		};
		for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
			size_t bl = k == 1 ? 12 : k == 2 ? 5 : k == 3 ? 2 : 4;
			q = quic_state_create();
			feed_frames(q, 0, bad[k], bl);
			CHECK(quic_get_counters(q)->bad_frame == 1);
			quic_state_destroy(q);
		}
	}

	/* header lengths that lie: packet length, token length, DCID */
	n = protect(pkt, 0, f, crypto_frame(f, 0, h, hn));
	for (int k = 0; k < 4; k++) {
		uint8_t c[4096];
		size_t cl = n;

		memcpy(c, pkt, n);
		if (k == 0)
			c[16] = 0x7f, c[17] = 0xff;   /* length 16383 */
		else if (k == 1)
			c[15] = 0x3f;                 /* token of 63 bytes */
		else if (k == 2)
			c[5] = 21;                    /* DCID of 21 bytes */
		else
			cl = 19;                      /* cut in the length */
		q = quic_state_create();
		quic_feed(q, 0, c, cl);
		CHECK(!quic_hello_seen(q));
		CHECK(quic_get_counters(q)->bad_header +
		      quic_get_counters(q)->decrypt_fail >= 1);
		quic_state_destroy(q);
	}

	/* coalesced: the Initial, then a Handshake packet, then padding */
	{
		uint8_t c[4096];
		size_t cl = n;

		memcpy(c, pkt, n);
		c[cl++] = 0xe0; /* Handshake, v1 */
		c[cl++] = 0; c[cl++] = 0; c[cl++] = 0; c[cl++] = 1;
		c[cl++] = 0; c[cl++] = 0;
		c[cl++] = 3; c[cl++] = 1; c[cl++] = 2; c[cl++] = 3;
		memset(c + cl, 0, 20);
		cl += 20;
		q = quic_state_create();
		quic_feed(q, 0, c, cl);
		CHECK(quic_hello_seen(q));
		CHECK(quic_get_counters(q)->bad_header == 0);
		quic_state_destroy(q);
	}

	/* repeated failures end the work */
	q = quic_state_create();
	pkt[n - 1] ^= 1;
	for (int k = 0; k < 10; k++)
		quic_feed(q, 0, pkt, n);
	CHECK(quic_done(q));
	CHECK(quic_get_counters(q)->decrypt_fail == 4);
	pkt[n - 1] ^= 1;
	quic_state_destroy(q);

	/* an unknown version: seen, nothing to decrypt */
	q = quic_state_create();
	memcpy(pkt + 1, "\x1a\x2a\x3a\x4a", 4);
	quic_feed(q, 0, pkt, n);
	CHECK(quic_seen(q));
	CHECK(quic_done(q));
	CHECK_STR(quic_version_name(quic_version(q), v, sizeof(v)), "1a2a3a4a");
	quic_state_destroy(q);

	/* a client short header ends the handshake; version negotiation
	 * is not a version */
	q = quic_state_create();
	feed_frames(q, 0, f, crypto_frame(f, 0, h, 10));
	pkt[0] = 0x80;
	memset(pkt + 1, 0, 4);
	quic_feed(q, 1, pkt, 40);
	CHECK(quic_version(q) == 1);
	pkt[0] = 0x41;
	quic_feed(q, 0, pkt, 40);
	CHECK(quic_done(q));
	CHECK(!quic_hello_seen(q));
	quic_state_destroy(q);

	/* gQUIC CHLOs with lying tag tables */
	{
		size_t gn;
		uint8_t *g = unhex(qcyu_chlo, &gn);
		/* the CHLO starts after flags, version, CID lengths, CID (8),
		 * packet number (4), hash (12), frame type, stream id, length */
		size_t chlo = 1 + 4 + 1 + 8 + 4 + 12 + 1 + 1 + 2;

		CHECK(memcmp(g + chlo, "CHLO", 4) == 0);
		for (int k = 0; k < 3; k++) {
			uint8_t *c = xmalloc(gn);
			memcpy(c, g, gn);
			if (k == 0)
				c[chlo + 4] = 0xff;              /* 255 tags */
			else if (k == 1)
				memset(c + chlo + 8 + 8 + 4, 0, 4); /* offsets go down */
			else
				c[chlo + 8 + 7] = 0x7f;          /* beyond the data */
			q = quic_state_create();
			quic_feed(q, 0, c, gn);
			CHECK(!quic_hello_seen(q));
			CHECK(quic_get_counters(q)->bad_frame == 1);
			quic_state_destroy(q);
			free(c);
		}
		free(g);
	}
	free(h);
}

/* Mutated copies of the real packets, cut at random: must not crash. */
static void test_mutations(void)
{
	static const char *const all[] = {
		q29_initial, q29_retry, q29_initial2, qv2_initial, qfrag_1,
		qfrag_2, qja4_initial, qcyu_chlo, q46_chlo,
	};

	for (int iter = 0; iter < 4000; iter++) {
		struct quic_state *q = quic_state_create();
		int npk = 1 + (int)(rng() % 3);

		for (int k = 0; k < npk; k++) {
			size_t n;
			uint8_t *p = unhex(all[rng() % ARRAY_SIZE(all)], &n);
			int flips = (int)(rng() % 4);

			for (int i = 0; i < flips; i++) {
				/* mostly in the header, where lengths live */
				size_t at = rng() % 2 ? rng() % 64 : rng() % n;
				if (at < n)
					p[at] ^= (uint8_t)(1u << (rng() % 8));
			}
			if (rng() % 4 == 0)
				n = (size_t)(rng() % (n + 1));
			quic_feed(q, (int)(rng() % 4 == 0), p, n);
			free(p);
		}
		free(eve(q));
		(void)quic_sni(q);
		quic_state_destroy(q);
	}

	/* random frames, properly protected: the decrypted side is hostile */
	for (int iter = 0; iter < 2000; iter++) {
		struct quic_state *q = quic_state_create();
		uint8_t f[1200];
		size_t n = 1 + (size_t)(rng() % sizeof(f));

		for (size_t i = 0; i < n; i++)
			f[i] = (uint8_t)rng();
		if (rng() % 2)
			f[0] = (uint8_t)(rng() % 2 ? 0x06 : 0x02);
		feed_frames(q, (uint32_t)iter, f, n);
		free(eve(q));
		quic_state_destroy(q);
	}
}

static void test_misc(void)
{
	char v[16];
	uint32_t ver = 0;

	CHECK_STR(quic_version_name(1, v, sizeof(v)), "1");
	CHECK_STR(quic_version_name(0xff000020, v, sizeof(v)), "h3-32");
	CHECK_STR(quic_version_name(0x51303433, v, sizeof(v)), "Q043");
	CHECK_STR(quic_version_name(0x54303531, v, sizeof(v)), "T051");
	CHECK_STR(quic_version_name(0x6b3343cf, v, sizeof(v)), "6b3343cf");
	CHECK(quic_parse_long_header((const uint8_t *)"\xc0\x00\x00\x00\x01\x00\x00",
				     7, &ver) == 0 && ver == 1);
	CHECK(quic_parse_long_header((const uint8_t *)"\x40\x00\x00\x00\x01\x00\x00",
				     7, &ver) != 0);
	quic_state_destroy(NULL);
	quic_feed(NULL, 0, (const uint8_t *)"x", 1);

	/* DPI's values fill in only what the packets did not give */
	{
		struct quic_state *q = quic_state_create();
		char *j;

		feed_hex(q, 0, qja4_initial);
		quic_set_fallback(q, "dpi.example", "agent");
		CHECK_STR(quic_sni(q), "cloudflare-quic.com");
		CHECK_STR(quic_ua(q), "agent");
		j = eve(q);
		CHECK_CONTAINS(j, "\"sni\":\"cloudflare-quic.com\",\"ua\":\"agent\"");
		free(j);
		quic_state_destroy(q);
	}
}

int main(void)
{
	test_rfc9001();
	test_real();
	test_suricata_expectations();
	test_retry();
	test_crypto_reassembly();
	test_long_sni();
	test_hostile();
	test_mutations();
	test_misc();
	if (check_failures) {
		fprintf(stderr, "test_proto_quic: %d check(s) failed\n",
			check_failures);
		return 1;
	}
	printf("test_proto_quic: ok\n");
	return 0;
}
